from shop.cart import Cart


def cart(request):
    """`cart_count`: how many items are in the session cart, for the menu.

    A callable, so pages that never show it (the admin, e-mails) do not read the session.
    """

    def cart_count() -> int:
        return len(Cart(request.session))

    return {"cart_count": cart_count}
