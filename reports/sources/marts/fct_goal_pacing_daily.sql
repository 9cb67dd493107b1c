select * from read_parquet('exports/fct_goal_pacing_daily.parquet')
