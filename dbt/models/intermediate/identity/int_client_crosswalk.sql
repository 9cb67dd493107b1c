{#-
    The client-identity spine: one client across the systems, keyed by the accounting contact
    (client_id, Xero's ContactID). Any other source joins its clients here: the CRM company (read
    from the CRM-neutral int_crm__companies, so a second CRM needs no change here), later the PSA
    company by the same rules. Candidates come from three rules, strongest first: the company's
    accounting_contact_id (HubSpot's `xero_contact_id` property, hence the match_method's name)
    names the contact; the same web domain (contact website or e-mail domain, free-mail domains
    ignored); the same normalised name. The strongest rule with candidates decides; among its
    candidates a company already at lifecycle stage "customer" beats a prospect. A contact still
    left with several companies is `ambiguous`, with none `unmatched`: both keep their revenue,
    just without a CRM company (and so without a lead source).
-#}
with sales_contacts as (
    select contact_id from {{ ref('stg_xero__invoices') }}
    where invoice_type = 'ACCREC'
    union
    select contact_id from {{ ref('stg_xero__credit_notes') }}
    where credit_note_type = 'ACCRECCREDIT'
),

clients as (
    select
        contacts.contact_id,
        contacts.contact_name,
        contacts.contact_status,
        contacts.default_currency_code,
        {{ normalised_domain('contacts.website') }} as website_domain,
        {{ email_domain('contacts.email_address') }} as email_domain,
        {{ normalised_company_name('contacts.contact_name') }} as name_key
    from {{ ref('stg_xero__contacts') }} as contacts
    where not contacts.is_deleted
        and (contacts.is_customer or contacts.contact_id in (select contact_id from sales_contacts))
),

client_domains as (
    select distinct clients.contact_id, domains.domain
    from clients
    cross join lateral (select unnest([clients.website_domain, clients.email_domain]) as domain) as domains
    where domains.domain is not null
        and domains.domain not in (select domain from {{ ref('free_email_domains') }})
),

companies as (
    select
        company_id,
        company_name,
        source_system,
        accounting_contact_id,
        lead_source,
        lifecycle_stage = 'customer' as is_customer_company,
        {{ normalised_domain('domain') }} as domain,
        {{ normalised_company_name('company_name') }} as name_key
    from {{ ref('int_crm__companies') }}
    where not is_deleted
),

candidates as (
    select clients.contact_id, companies.company_id, 1 as rule_rank, 'xero_contact_id' as match_method
    from clients
    inner join companies on companies.accounting_contact_id = clients.contact_id
    union
    select client_domains.contact_id, companies.company_id, 2, 'domain'
    from client_domains
    inner join companies on companies.domain = client_domains.domain
    union
    select clients.contact_id, companies.company_id, 3, 'name'
    from clients
    inner join companies on companies.name_key = clients.name_key
),

best_candidates as (
    select
        candidates.*,
        rank() over (
            partition by candidates.contact_id
            order by candidates.rule_rank asc, companies.is_customer_company desc
        ) as candidate_rank
    from candidates
    inner join companies on candidates.company_id = companies.company_id
),

decided as (
    select
        contact_id,
        count(*) as candidate_count,
        min(company_id) as company_id,
        min(match_method) as match_method
    from best_candidates
    where candidate_rank = 1
    group by contact_id
)

select
    clients.contact_id as client_id,
    clients.contact_name as client_name,
    clients.contact_status,
    clients.default_currency_code,
    case when decided.candidate_count = 1 then decided.company_id end as hubspot_company_id,
    case when decided.candidate_count = 1 then companies.company_name end as hubspot_company_name,
    case
        when decided.candidate_count = 1 then decided.match_method
        when decided.candidate_count > 1 then 'ambiguous'
        else 'unmatched'
    end as match_method,
    case when decided.candidate_count = 1 then companies.lead_source end as lead_source,
    case when decided.candidate_count = 1 then companies.source_system end as crm_source_system
from clients
left join decided on clients.contact_id = decided.contact_id
left join companies on decided.company_id = companies.company_id and decided.candidate_count = 1
