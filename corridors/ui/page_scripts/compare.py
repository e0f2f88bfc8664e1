from corridors.ui import compare_page

compare_page.render()
