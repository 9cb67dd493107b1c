select * from read_parquet('exports/fct_stage_velocity.parquet')
