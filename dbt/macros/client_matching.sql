{#-
    Normalisers for matching one client across HubSpot and Xero, where bookkeepers and reps spell
    the same business differently ("The Acme Corp" / "ACME Corporation LLC" / "Acme, Corp.").
-#}

{#- A bare host: lower case, no scheme, no "www.", no path or port (a URL or a bare domain). -#}
{% macro normalised_domain(expression) -%}
    nullif(split_part(split_part(regexp_replace(lower(trim({{ expression }})), '^[a-z]+://', ''), '/', 1), ':', 1)
        .regexp_replace('^www\.', ''), '')
{%- endmacro %}

{#- The domain of an e-mail address, normalised like normalised_domain(). -#}
{% macro email_domain(expression) -%}
    {{ normalised_domain("nullif(split_part(" ~ expression ~ ", '@', 2), '')") }}
{%- endmacro %}

{#-
    A company name reduced to its distinctive words: lower case, "&" read as "and", punctuation
    dropped, legal-form words ("the", "inc", "llc", "corp", ...) removed, the rest joined without
    spaces. Descriptive words such as "Group" or "Partners" are kept: they tell
    companies apart.
-#}
{% macro normalised_company_name(expression) -%}
    nullif(array_to_string(list_filter(
        string_split(trim(regexp_replace(replace(lower({{ expression }}), '&', ' and '), '[^a-z0-9]+', ' ', 'g')), ' '),
        lambda word: word not in (
            'the', 'inc', 'incorporated', 'llc', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company',
            'plc', 'llp', 'lp', 'pllc', 'gmbh'
        )
    ), ''), '')
{%- endmacro %}
