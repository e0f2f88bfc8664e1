from corridors.ui import flows_page

flows_page.render()
