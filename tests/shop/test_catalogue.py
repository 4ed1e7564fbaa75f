"""The catalogue, product pages and their generated pictures, through HTTP."""

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.models import Product
from tests.shop.factories import make_category, make_product

pytestmark = pytest.mark.django_db

SVG_NS = "{http://www.w3.org/2000/svg}"


def shown(response) -> list[str]:
    """The product names on a catalogue page, in the order shown."""
    return [product.name for product in response.context["products"]]


@pytest.fixture
def shelf():
    tea = make_category("Tea")
    garden = make_category("Garden")
    return {
        "earl": make_product(name="Earl Grey", brand="Leafy", price="4.50", category=tea),
        "green": make_product(name="Green Tea", brand="Leafy", price="6.00", category=tea),
        "pot": make_product(name="Teapot", brand="Potter", price="25.00", category=tea, stock=0),
        "rake": make_product(name="Rake", brand="Toolsmith", price="18.00", category=garden),
        "hidden": make_product(name="Old Tea", brand="Leafy", category=tea, active=False),
    }


def test_catalogue_lists_products_on_sale_by_name(client, shelf):
    response = client.get("/shop/")
    assert response.status_code == 200
    assert shown(response) == ["Earl Grey", "Green Tea", "Rake", "Teapot"]
    html = response.content.decode()
    assert "Old Tea" not in html
    assert "4 products" in html


def test_catalogue_lists_categories_with_their_counts(client, shelf):
    html = client.get("/shop/").content.decode()
    assert re.search(r"Tea\s*<span[^>]*>3</span>", html)
    assert re.search(r"Garden\s*<span[^>]*>1</span>", html)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("tea", ["Green Tea", "Teapot"]),
        ("LEAFY", ["Earl Grey", "Green Tea"]),
        ("toolsmith", ["Rake"]),
        ("nothing-like-it", []),
    ],
)
def test_search_matches_name_or_brand(client, shelf, q, expected):
    response = client.get("/shop/", {"q": q})
    assert shown(response) == expected


def test_no_match_says_so(client, shelf):
    html = client.get("/shop/", {"q": "zebra"}).content.decode()
    assert "Nothing matches that" in html


def test_filter_by_category(client, shelf):
    response = client.get("/shop/", {"category": shelf["rake"].category.slug})
    assert shown(response) == ["Rake"]
    assert response.context["current_category"].name == "Garden"
    assert "<h1>Garden</h1>" in response.content.decode()


def test_filter_by_brand(client, shelf):
    assert shown(client.get("/shop/", {"brand": "Potter"})) == ["Teapot"]


def test_filter_by_price_range(client, shelf):
    response = client.get("/shop/", {"price_min": "5", "price_max": "20"})
    assert shown(response) == ["Green Tea", "Rake"]


def test_filter_in_stock_only(client, shelf):
    response = client.get("/shop/", {"in_stock": "on"})
    assert "Teapot" not in shown(response)
    assert len(shown(response)) == 3


def test_filters_combine(client, shelf):
    response = client.get(
        "/shop/",
        {"q": "tea", "category": shelf["earl"].category.slug, "in_stock": "on", "price_max": "10"},
    )
    assert shown(response) == ["Green Tea"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Earl Grey", "Green Tea", "Rake", "Teapot"]),
        ("price", ["Earl Grey", "Green Tea", "Rake", "Teapot"]),
        ("-price", ["Teapot", "Rake", "Green Tea", "Earl Grey"]),
    ],
)
def test_sorting(client, shelf, sort, expected):
    assert shown(client.get("/shop/", {"sort": sort})) == expected


def test_sorting_newest_first(client, shelf):
    Product.objects.filter(pk=shelf["rake"].pk).update(
        created_at=timezone.now() + timedelta(days=1)
    )
    Product.objects.filter(pk=shelf["earl"].pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    names = shown(client.get("/shop/", {"sort": "newest"}))
    assert names[0] == "Rake" and names[-1] == "Earl Grey"


@pytest.mark.parametrize(
    "params",
    [
        {"price_min": "cheap"},
        {"price_max": "-5"},
        {"price_min": "NaN"},
        {"price_min": "1e999"},
        {"category": "no-such-category"},
        {"brand": "<script>"},
        {"sort": "DROP TABLE"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": str(10**30)},
        {"q": "x" * 500},
    ],
)
def test_nonsense_parameters_are_ignored_not_fatal(client, shelf, params):
    response = client.get("/shop/", params)
    assert response.status_code == 200
    assert len(shown(response)) >= 1


def test_an_invalid_filter_says_why(client, shelf):
    response = client.get("/shop/", {"price_min": "cheap", "brand": "Potter"})
    html = response.content.decode()
    assert "Enter a price such as 5 or 12.50." in html
    # The valid filter still applies.
    assert shown(response) == ["Teapot"]


def test_lowest_price_above_highest_is_explained(client, shelf):
    html = client.get("/shop/", {"price_min": "20", "price_max": "5"}).content.decode()
    assert "The highest price must not be below the lowest." in html


def test_pagination_shows_24_per_page_and_keeps_the_filters(client):
    category = make_category("Books")
    for n in range(30):
        make_product(name=f"Book {n:02d}", category=category, brand="Inkwell")
    make_product(name="Spade", brand="Toolsmith")

    first = client.get("/shop/", {"brand": "Inkwell"})
    assert len(shown(first)) == 24
    assert shown(first)[0] == "Book 00"
    html = first.content.decode()
    assert "page 1 of 2" in html
    assert 'href="?brand=Inkwell&amp;page=2"' in html

    second = client.get("/shop/", {"brand": "Inkwell", "page": 2})
    assert shown(second) == [f"Book {n}" for n in range(24, 30)]
    # Past the end shows the last page rather than an error.
    assert shown(client.get("/shop/", {"brand": "Inkwell", "page": 99})) == shown(second)


def own_queries(client, path, params=None) -> int:
    """Queries `path` makes beyond those every page makes (session, user, site-wide
    context such as the menu), measured against a static page for the same client."""

    def count(target, data=None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target, data).status_code == 200
        return len(ctx.captured_queries)

    return count(path, params) - count("/privacy/")


def test_catalogue_query_count_does_not_grow_with_products(client):
    categories = [make_category(f"Shelf {n}") for n in range(3)]
    for n in range(3):
        make_product(category=categories[n % 3], brand=f"Brand {n}")
    few = own_queries(client, "/shop/", {"sort": "price"})
    for n in range(27):
        make_product(category=categories[n % 3], brand=f"Brand {n}")
    many = own_queries(client, "/shop/", {"sort": "price"})
    # categories with counts, brands, the page's count, the page of products with categories
    assert few == many == 4


def test_catalogue_links_each_product_with_its_picture(client, shelf):
    html = client.get("/shop/").content.decode()
    slug = shelf["earl"].slug
    assert f'href="/shop/p/{slug}/"' in html
    assert f'src="/shop/p/{slug}/picture.svg"' in html
    assert 'alt="Picture of Earl Grey"' in html


def test_the_menu_links_to_the_shop(client, db):
    html = client.get("/").content.decode()
    assert 'href="/shop/"' in html


# --- Product page -----------------------------------------------------------


def test_product_page_shows_what_a_shopper_needs(client, shelf):
    earl = shelf["earl"]
    response = client.get(f"/shop/p/{earl.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Earl Grey" in html
    assert "Leafy" in html and "£4.50" in html
    assert "In stock" in html
    assert "A fine product." in html
    assert 'id="add-to-cart"' in html and 'name="quantity"' in html
    assert 'alt="Picture of Earl Grey by Leafy"' in html


@pytest.mark.parametrize(
    ("stock", "label"), [(50, "In stock"), (5, "Only 5 left"), (1, "Only 1 left")]
)
def test_product_page_says_how_many_are_left(client, stock, label):
    product = make_product(stock=stock)
    assert label in client.get(f"/shop/p/{product.slug}/").content.decode()


def test_out_of_stock_product_cannot_be_added(client, shelf):
    html = client.get(f"/shop/p/{shelf['pot'].slug}/").content.decode()
    assert "Out of stock" in html
    assert 'id="add-to-cart"' not in html


def test_withdrawn_and_unknown_products_are_404(client, shelf):
    assert client.get(f"/shop/p/{shelf['hidden'].slug}/").status_code == 404
    assert client.get("/shop/p/no-such-thing/").status_code == 404


def test_product_page_escapes_what_it_shows(client):
    product = make_product(name='<script>alert("x")</script>', brand="<b>Bold</b>")
    html = client.get(f"/shop/p/{product.slug}/").content.decode()
    assert "<script>alert" not in html and "<b>Bold</b>" not in html
    assert "&lt;script&gt;" in html


def test_product_page_query_count_does_not_grow_with_the_catalogue_or_cart(client):
    category = make_category("Kitchen")
    products = [make_product(category=category) for _ in range(3)]
    for product in products:
        client.post("/shop/cart/add/", {"product_id": product.pk, "quantity": 1})
    few = own_queries(client, f"/shop/p/{products[0].slug}/")
    more = [make_product(category=category) for _ in range(27)]
    for product in more:
        client.post("/shop/cart/add/", {"product_id": product.pk, "quantity": 1})
    many = own_queries(client, f"/shop/p/{products[0].slug}/")
    # the product with its category
    assert few == many == 1


# --- Generated picture ------------------------------------------------------


def test_picture_is_an_svg_with_cache_headers(client, shelf):
    response = client.get(f"/shop/p/{shelf['earl'].slug}/picture.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    assert response["ETag"]
    root = ET.fromstring(response.content)  # noqa: S314 (our own SVG)
    assert root.tag == f"{SVG_NS}svg"
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    assert "Earl Grey" in texts and "Leafy" in texts and "Tea" in texts


def test_picture_answers_304_when_unchanged(client, shelf):
    url = f"/shop/p/{shelf['earl'].slug}/picture.svg"
    etag = client.get(url)["ETag"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""


def test_picture_escapes_the_products_name(client):
    product = make_product(
        name='</text><script>alert(1)</script> & "quotes" \x07',
        brand="<img src=x onerror=alert(1)>",
        category=make_category("Kids' <toys> & games"),
    )
    response = client.get(f"/shop/p/{product.slug}/picture.svg")
    body = response.content.decode()
    assert "<script" not in body and "<img" not in body and "</text><script" not in body
    assert "&lt;script&gt;" in body and "&amp;" in body
    # Still well-formed XML, with the text shown as typed.
    root = ET.fromstring(response.content)  # noqa: S314 (our own SVG)
    texts = "".join(t.text or "" for t in root.iter(f"{SVG_NS}text"))
    assert "<img src=x onerror=alert(1)>" in texts
    assert "Kids' <toys> & games" in texts


def test_picture_colour_comes_from_the_category(client):
    tea, garden = make_category("Tea"), make_category("Garden")
    a, b = make_product(category=tea), make_product(category=tea)
    c = make_product(category=garden)

    def fill(product):
        root = ET.fromstring(client.get(f"/shop/p/{product.slug}/picture.svg").content)  # noqa: S314
        return root.find(f"{SVG_NS}rect").get("fill")

    assert fill(a) == fill(b)
    assert fill(a) != fill(c)


def test_picture_of_withdrawn_product_is_404(client, shelf):
    assert client.get(f"/shop/p/{shelf['hidden'].slug}/picture.svg").status_code == 404
