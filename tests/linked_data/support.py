"""Reading the site's JSON-LD as a partner would: parsed with rdflib (never fetching a context) and checked against
our SHACL shapes with pyshacl."""

import re
import socket
from contextlib import contextmanager
from pathlib import Path

import pyshacl
from rdflib import Graph, Namespace

SCHEMA = Namespace("http://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
DCT = Namespace("http://purl.org/dc/terms/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SHAPES = Graph().parse(Path(__file__).with_name("shapes.ttl"), format="turtle")
BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@contextmanager
def no_network():
    """Fail any connection to anything but this machine (a JSON-LD reader that fetched schema.org would)."""
    connect = socket.socket.connect

    def local_only(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(address, tuple) and host not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access to {address}")
        return connect(sock, address)

    socket.socket.connect = local_only
    try:
        yield
    finally:
        socket.socket.connect = connect


def blocks(html: str) -> list[str]:
    return BLOCK.findall(html)


def parsed(text: str, base: str = "http://testserver/") -> Graph:
    with no_network():
        return Graph().parse(data=text, format="json-ld", publicID=base)


def shacl_report(graph: Graph) -> tuple[bool, str]:
    conforms, _results, text = pyshacl.validate(graph, shacl_graph=SHAPES, inference="none")
    return conforms, text
