{#-
    Every logged sales activity up to the end of as_of_date. Grain: one row per call, email,
    meeting or task (ones archived by then left out). activity_id prefixes the HubSpot id with the type,
    since ids are only unique within an object type.

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

calls as (
    select
        'call-' || calls.call_id as activity_id,
        calls.occurred_at,
        'call' as activity_type,
        calls.owner_id,
        calls.call_direction = 'OUTBOUND' as is_prospecting_attempt,
        calls.call_direction = 'OUTBOUND' and coalesce(dispositions.is_connect, false) as is_connect,
        false as is_first_appointment
    from {{ ref('stg_hubspot__calls') }} as calls
    left join dispositions
        on calls.disposition_id = dispositions.disposition_id
    where {{ live_as_of('calls') }}
),

emails as (
    select
        'email-' || email_id as activity_id,
        occurred_at,
        'email' as activity_type,
        owner_id,
        email_direction = 'EMAIL' as is_prospecting_attempt,
        false as is_connect,
        false as is_first_appointment
    from {{ ref('stg_hubspot__emails') }}
    where {{ live_as_of() }}
),

meetings as (
    select
        'meeting-' || meeting_id as activity_id,
        coalesce(starts_at, occurred_at) as occurred_at,
        'meeting' as activity_type,
        owner_id,
        false as is_prospecting_attempt,
        false as is_connect,
        activity_type = 'First appointment' and meeting_outcome = 'COMPLETED' as is_first_appointment
    from {{ ref('stg_hubspot__meetings') }}
    where {{ live_as_of() }}
),

tasks as (
    select
        'task-' || task_id as activity_id,
        due_at as occurred_at,
        'task' as activity_type,
        owner_id,
        false as is_prospecting_attempt,
        false as is_connect,
        false as is_first_appointment
    from {{ ref('stg_hubspot__tasks') }}
    where {{ live_as_of() }}
),

activities as (
    select * from calls
    union all
    select * from emails
    union all
    select * from meetings
    union all
    select * from tasks
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
from activities
where occurred_at < {{ as_of_end_utc() }}
