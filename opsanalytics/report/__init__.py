"""Reports: papermill runs the notebooks of notebooks/, nbconvert renders them to offline
HTML pages, and an index links them with the executive summary.

runner.py executes, render.py renders, index.py writes index.html, charts.py builds the
Plotly figures, insights.py runs queries/reports/*.sql, notebook.py is what notebooks import,
pseudonymise.py hashes numbers.
"""
