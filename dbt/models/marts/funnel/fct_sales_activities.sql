{#-
    Every logged sales activity up to the end of as_of_date. Grain: one row per call, email,
    meeting or task of the CRM's activity stream (int_crm__activities; ones archived by then left
    out). activity_id prefixes the CRM id with the type, since ids are only unique within a type.

    - prospecting attempt: an outbound call or an email sent by the rep (direction EMAIL; replies
      and forwards are not attempts, bounced sends are);
    - connect: an outbound call whose disposition the call_disposition_map seed marks as a connect;
    - first appointment: a meeting of type "First appointment" whose outcome is COMPLETED (no-shows
      and reschedules are not), dated when it took place.
    Tasks are dated by their due time (HubSpot's hs_timestamp for tasks).
-#}
with dispositions as (
    select disposition_id, is_connect from {{ ref('call_disposition_map') }}
),

classified as (
    select
        activities.activity_id,
        activities.occurred_at,
        activities.activity_type,
        activities.owner_id,
        activities.activity_type in ('call', 'email') and activities.is_outbound as is_prospecting_attempt,
        activities.activity_type = 'call' and activities.is_outbound
        and coalesce(dispositions.is_connect, false) as is_connect,
        activities.is_first_appointment
    from {{ ref('int_crm__activities') }} as activities
    left join dispositions
        on activities.call_disposition_id = dispositions.disposition_id
    where {{ live_as_of('activities') }}
)

select
    activity_id,
    {{ org_date('occurred_at') }} as activity_date,
    occurred_at,
    activity_type,
    owner_id,
    is_prospecting_attempt,
    is_connect,
    is_first_appointment
from classified
where occurred_at < {{ as_of_end_utc() }}
