with source as (
    select * from {{ source('hubspot', 'deals') }}
),

renamed as (
    select
        ---------- ids
        id as deal_id,
        try_cast(hubspot_owner_id as bigint) as owner_id,
        pipeline as pipeline_id,
        dealstage as deal_stage_id,
        hs_merged_object_ids as merged_object_ids,

        ---------- attributes
        dealname as deal_name,
        dealtype as deal_type,
        {{ custom_property(source('hubspot', 'deals'), 'lead_source') }} as lead_source,
        closed_lost_reason,
        hs_is_closed as is_closed,
        hs_is_closed_won as is_closed_won,
        hs_deal_stage_probability as deal_stage_probability_rate,
        archived as is_archived,

        ---------- money (deal currency)
        deal_currency_code as currency_code,
        {{ money('amount') }} as amount,
        {{ money(custom_property(source('hubspot', 'deals'), 'mrr_amount', 'double')) }} as mrr_amount,
        {{ money(custom_property(source('hubspot', 'deals'), 'project_amount', 'double')) }}
            as project_amount,

        ---------- timestamps
        {{ utc('closedate') }} as close_at,
        {{ hubspot_record_columns() }}
    from source
)

select * from renamed
