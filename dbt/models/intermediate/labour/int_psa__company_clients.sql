{#-
    The PSA's companies joined to the client-identity spine (int_client_crosswalk): a PSA company
    is the client whose accounting contact or CRM company shares its web domain (rule 1) or, failing
    that, its normalised name (rule 2), the names and domains normalised as the spine normalises
    them. The strongest rule with candidates decides; several clients under it make the company
    `ambiguous`, none `unmatched` -- its hours stay in the labour marts without a client (and so
    out of client contribution), and it is listed in mart_psa_unmatched_companies.
-#}
with psa_companies as (
    select
        company_id,
        company_name,
        company_type,
        is_deleted,
        {{ normalised_domain('website') }} as domain,
        {{ normalised_company_name('company_name') }} as name_key
    from {{ ref('stg_connectwise__companies') }}
),

clients as (
    select client_id, client_name, hubspot_company_id
    from {{ ref('int_client_crosswalk') }}
),

contacts as (
    select contact_id, website, email_address
    from {{ ref('stg_xero__contacts') }}
),

crm_companies as (
    select company_id, company_name, domain
    from {{ ref('int_crm__companies') }}
),

-- every domain and name a client is known by: its accounting contact's and its CRM company's
client_keys as (
    select
        clients.client_id,
        {{ normalised_domain('contacts.website') }} as domain,
        {{ normalised_company_name('clients.client_name') }} as name_key
    from clients
    inner join contacts on clients.client_id = contacts.contact_id
    union
    select clients.client_id, {{ email_domain('contacts.email_address') }} as domain, null as name_key
    from clients
    inner join contacts on clients.client_id = contacts.contact_id
    union
    select
        clients.client_id,
        {{ normalised_domain('crm_companies.domain') }} as domain,
        {{ normalised_company_name('crm_companies.company_name') }} as name_key
    from clients
    inner join crm_companies on clients.hubspot_company_id = crm_companies.company_id
),

candidates as (
    select distinct psa_companies.company_id, client_keys.client_id, 1 as rule_rank, 'domain' as match_method
    from psa_companies
    inner join client_keys on psa_companies.domain = client_keys.domain
    where client_keys.domain not in (select domain from {{ ref('free_email_domains') }})
    union
    select distinct psa_companies.company_id, client_keys.client_id, 2 as rule_rank, 'name' as match_method
    from psa_companies
    inner join client_keys on psa_companies.name_key = client_keys.name_key
),

best as (
    select
        company_id,
        client_id,
        match_method,
        rank() over (partition by company_id order by rule_rank asc) as candidate_rank
    from candidates
),

decided as (
    select
        company_id,
        count(distinct client_id) as candidate_count,
        min(client_id) as client_id,
        min(match_method) as match_method
    from best
    where candidate_rank = 1
    group by company_id
)

select
    psa_companies.company_id,
    psa_companies.company_name,
    psa_companies.company_type,
    psa_companies.is_deleted,
    case when decided.candidate_count = 1 then decided.client_id end as client_id,
    case
        when decided.candidate_count = 1 then decided.match_method
        when decided.candidate_count > 1 then 'ambiguous'
        else 'unmatched'
    end as match_method
from psa_companies
left join decided on psa_companies.company_id = decided.company_id
