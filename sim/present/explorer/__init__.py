"""The interactive explorer: a local web app (Solara) to try program designs by moving controls.

`design.py` turns controls into checked overrides, `results.py` formats what is shown, `watch.py`
steps one run week by week, `app.py` is the page and `server.py` serves it on 127.0.0.1.
Solara is imported only here, when the explorer starts.
"""
