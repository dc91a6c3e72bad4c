"""HTTP plumbing shared by the API and the web pages: sessions per request, ETags, problem+json."""
