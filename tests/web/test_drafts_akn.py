"""The Akoma Ntoso download in the workspace and the API (issue #17, point 6)."""

from pathlib import Path

from bs4 import BeautifulSoup
from lxml import etree

from tests.factories import PONTANG
from tests.web.test_drafts_routes import create, lontar_profile  # noqa: F401  (fixture)

XSD = Path(__file__).parents[1] / "drafting" / "akn" / "akomantoso30.xsd"


def validates(data: bytes) -> bool:
    return etree.XMLSchema(etree.parse(str(XSD))).validate(etree.fromstring(data))


def test_workspace_offers_and_serves_the_akn_of_a_revision(client, db, lontar_profile):  # noqa: F811
    client.login_as(db, "operator")
    draft_id = create(client)
    page = BeautifulSoup(client.get(f"/rancangan/{draft_id}").text, "html.parser")
    link = page.select_one("[data-testid=download-akn]")
    assert link["href"] == f"/rancangan/{draft_id}/revisi/1/akn"
    response = client.get(link["href"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert (
        'filename="Rancangan-Perdes-PMI-Lontar-revisi-1.akn.xml"'
        in (response.headers["content-disposition"])
    )
    assert validates(response.content)
    naskah = client.get(f"{link['href']}?jenis=naskah")
    assert naskah.status_code == 422 and "belum dapat dibuat" in naskah.text
    client.raw.cookies.clear()
    client.login_as(db, "operator", (PONTANG,))
    assert client.get(link["href"]).status_code == 404
