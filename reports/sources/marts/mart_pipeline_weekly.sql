select * from read_parquet('exports/mart_pipeline_weekly.parquet')
