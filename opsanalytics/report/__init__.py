"""Reports: papermill runs the notebooks of notebooks/, nbconvert renders them to offline
HTML pages, and an index links them with the executive summary.

runner.py executes, render.py renders, index.py writes index.html, charts.py builds the
Plotly figures, insights.py runs queries/reports/*.sql and shapes tables for the pages,
summary.py gives the executive summary and every rule's verdict, notebook.py is what
notebooks import, pseudonymise.py hashes numbers.
"""
