with source as (
    select * from {{ source('hubspot', 'owners') }}
),

renamed as (
    select
        ---------- ids
        id as owner_id,
        user_id,
        user_id_including_inactive,
        primary_team_id,

        ---------- attributes
        email,
        first_name,
        last_name,
        nullif(trim(concat_ws(' ', first_name, last_name)), '') as full_name,
        type as owner_type,
        primary_team_name,
        archived as is_archived,

        ---------- timestamps
        {{ utc('created_at') }} as created_at,
        {{ utc('updated_at') }} as updated_at,

        ---------- landing
        _is_deleted as is_deleted,
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
