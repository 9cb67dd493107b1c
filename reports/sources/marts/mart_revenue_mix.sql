select * from read_parquet('exports/mart_revenue_mix.parquet')
