from tests.access import COMMS_PAGE, PUBLIC, Route

ROUTES = [
    Route("branding:edit", COMMS_PAGE),
    Route("branding:css", PUBLIC),
    # Staff or comms: the style guide shows the components to the people who build pages.
    Route("branding:styleguide", COMMS_PAGE),
]
