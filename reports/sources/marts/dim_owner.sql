select * from read_parquet('exports/dim_owner.parquet')
