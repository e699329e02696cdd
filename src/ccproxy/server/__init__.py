"""The HTTP server: wires settings, credentials and providers into routes; renders every error in
the envelope of the route's client format."""
