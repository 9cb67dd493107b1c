"""The owner's news: the morning digest of the goals and the Monday weekly pipeline report.

:mod:`daily` and :mod:`weekly` read the warehouse, :mod:`render` and :mod:`chart` put it in words
and a picture, :mod:`messages` sends it over the alert channels, :mod:`service` decides when.
"""
