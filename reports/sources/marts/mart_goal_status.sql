select * from read_parquet('exports/mart_goal_status.parquet')
