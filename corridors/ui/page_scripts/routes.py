from corridors.ui import routes_page

routes_page.render()
