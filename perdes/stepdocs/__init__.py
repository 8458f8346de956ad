"""Documents for each law-making step, generated from templates and the app's data."""
