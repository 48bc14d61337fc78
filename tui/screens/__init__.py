"""One screen per problem. The app finds them through :data:`tui.app.SCREENS`."""
