from corridors.ui import network_page

network_page.render()
