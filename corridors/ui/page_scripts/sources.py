from corridors.ui import sources_page

sources_page.render()
