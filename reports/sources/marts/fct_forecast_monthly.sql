select * from read_parquet('exports/fct_forecast_monthly.parquet')
