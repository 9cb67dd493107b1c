with source as (
    select * from {{ source('config', 'goals') }}
),

renamed as (
    select
        ---------- ids
        goal_id,
        goal_name,
        metric_name,
        metric_kind,

        ---------- period
        period_type,
        period_from,
        period_to,
        is_recurring,

        ---------- targets
        target,
        per_owner_targets,
        target_overrides,
        direction,

        ---------- filters (null = no restriction on that dimension)
        filters['service_line'] as filter_service_lines,
        filters['lead_source'] as filter_lead_sources,
        filters['owner'] as filter_owners,
        filters['dealtype'] as filter_deal_types,

        ---------- pacing settings
        pacing_curve,
        linear_blend as linear_blend_rate,
        threshold_ahead,
        threshold_on_track,
        threshold_at_risk,
        threshold_projected_at_risk,
        threshold_max_acceleration,
        guard_min_elapsed_fraction,
        guard_min_expected_count,
        guard_min_sample,
        drift_window_days,
        drift_warn_drop,
        drift_error_after_days,
        drift_clear_at,

        ---------- landing
        {{ utc('_loaded_at') }} as loaded_at
    from source
)

select * from renamed
