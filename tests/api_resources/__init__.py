"""Tests that send requests through the SDK to the Prism mock server of openapi.yml."""
