"""scrapeseg: segment scraped news pages into paragraphs and label them body, teaser or boilerplate."""
