select * from read_parquet('exports/mart_mrr_movements_monthly.parquet')
