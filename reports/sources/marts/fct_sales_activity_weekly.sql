select * from read_parquet('exports/fct_sales_activity_weekly.parquet')
