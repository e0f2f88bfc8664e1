from corridors.ui import years_page

years_page.render()
