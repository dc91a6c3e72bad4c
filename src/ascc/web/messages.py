"""Messages rendered from variables (error titles), marked here so that Babel extracts them."""


def N_(message: str) -> str:
    return message


ERROR_TITLES = (
    N_("Not found"),
    N_("Invalid parameter"),
    N_("Method not allowed"),
    N_("Error"),
    N_("Bad request"),
    N_("Conflict"),
    N_("Sign-in required"),
    N_("Forbidden"),
    N_("Precondition failed"),
    N_("Precondition required"),
    N_("Too many requests"),
)
