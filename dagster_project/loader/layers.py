"""The pipeline layer an asset belongs to, as a tag: jobs select a layer, never a vendor's group.

Group names stay one per vendor (the UI and the run history are organised by them); what a job
lands or builds is said by layer, so a new source's assets join ``land_raw`` by being tagged. The
dbt assets carry their layer too (``staging``, ``intermediate``, ``marts``, ``seeds``:
``defs/dbt/translator.py``), and the dashboard pages ``dashboard`` (``defs/dashboard.py``).
"""

LAYER_TAG = "milemarker/layer"
RAW_LAYER = "raw"
"""Tables landed from outside the warehouse: every source's streams and the goals file."""
RAW_LAYER_TAGS = {LAYER_TAG: RAW_LAYER}
