"""Staff roles. The groups themselves are created by a data migration."""

CUSTOMER_CARE = "Customer care"
MARKETING = "Marketing"

# (app_label, model, actions) each group may use in the admin.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    CUSTOMER_CARE: [
        ("profiles", "customerprofile", ("view",)),
        ("profiles", "profilefact", ("view",)),
        ("profiles", "touchpoint", ("view",)),
        ("profiles", "consent", ("view",)),
        ("profiles", "attribute", ("view",)),
    ],
    # Marketers see aggregates only: no individual profile, fact or timeline.
    MARKETING: [
        ("profiles", "attribute", ("view",)),
    ],
}
