select * from read_parquet('exports/fct_funnel_cohort_conversion.parquet')
