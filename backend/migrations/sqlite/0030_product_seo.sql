-- What search engines and link previews show for a product, when an admin sets it; NULL falls
-- back to the product's name and description.
ALTER TABLE products ADD COLUMN seo_title TEXT;
ALTER TABLE products ADD COLUMN seo_description TEXT;
