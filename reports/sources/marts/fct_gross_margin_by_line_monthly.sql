select * from read_parquet('exports/fct_gross_margin_by_line_monthly.parquet')
