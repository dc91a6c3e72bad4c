"""Drawing for the delivery layer: the one chart module (SVG with its data table and downloads), the
choropleth and disaster maps, and the plan report's PDF. Pages (``ascc.web``) and the API draw with
it; domains return numbers, never pictures."""
