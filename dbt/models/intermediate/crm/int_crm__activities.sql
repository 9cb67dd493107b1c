{#-
    Every logged sales activity of the CRM as one stream: calls, emails, meetings and tasks, told
    apart by activity_type. Grain: one row per activity and source system, archived and deleted ones
    included (flagged). activity_id prefixes the CRM's id with the type (`call-123`), since ids are
    only unique within an object type.

    The CRM's vocabulary is read here, once, into neutral flags:
    - occurred_at: when the activity took place (a meeting's start, else its timestamp; a task's
      due time);
    - is_outbound: the rep reached out (an OUTBOUND call; an email the rep sent, direction EMAIL,
      not a reply or a forward); false for meetings and tasks, null when the CRM does not say;
    - call_disposition_id: a call's outcome, mapped to connects by the call_disposition_map seed;
    - is_first_appointment: a meeting of type "First appointment" whose outcome is COMPLETED.

    A second CRM adds its staging models and `union all` branches here with the same columns.
-#}
with hubspot_calls as (
    select
        'call-' || call_id as activity_id,
        'call' as activity_type,
        owner_id,
        occurred_at,
        call_direction = 'OUTBOUND' as is_outbound,
        disposition_id as call_disposition_id,
        false as is_first_appointment,
        is_archived,
        created_at,
        archived_at,
        is_deleted
    from {{ ref('stg_hubspot__calls') }}
),

hubspot_emails as (
    select
        'email-' || email_id as activity_id,
        'email' as activity_type,
        owner_id,
        occurred_at,
        email_direction = 'EMAIL' as is_outbound,
        cast(null as varchar) as call_disposition_id,
        false as is_first_appointment,
        is_archived,
        created_at,
        archived_at,
        is_deleted
    from {{ ref('stg_hubspot__emails') }}
),

hubspot_meetings as (
    select
        'meeting-' || meeting_id as activity_id,
        'meeting' as activity_type,
        owner_id,
        coalesce(starts_at, occurred_at) as occurred_at,
        false as is_outbound,
        cast(null as varchar) as call_disposition_id,
        activity_type = 'First appointment' and meeting_outcome = 'COMPLETED' as is_first_appointment,
        is_archived,
        created_at,
        archived_at,
        is_deleted
    from {{ ref('stg_hubspot__meetings') }}
),

hubspot_tasks as (
    select
        'task-' || task_id as activity_id,
        'task' as activity_type,
        owner_id,
        due_at as occurred_at,
        false as is_outbound,
        cast(null as varchar) as call_disposition_id,
        false as is_first_appointment,
        is_archived,
        created_at,
        archived_at,
        is_deleted
    from {{ ref('stg_hubspot__tasks') }}
),

hubspot as (
    select * from hubspot_calls
    union all
    select * from hubspot_emails
    union all
    select * from hubspot_meetings
    union all
    select * from hubspot_tasks
)

select 'hubspot' as source_system, * from hubspot
