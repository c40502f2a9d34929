//! Object storage for product images: local files (embedded default) or any S3-protocol server.
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::signer::Signer;
use object_store::{ObjectStore, PutPayload};
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct Media {
    store: Arc<dyn ObjectStore>,
    signer: Option<Arc<AmazonS3>>,
    public_base: Option<String>,
}

/// Image kinds we accept, identified by their magic bytes rather than the client's word.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, ..] => Some("png"),
        [0xff, 0xd8, 0xff, ..] => Some("jpg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("webp"),
        _ => None,
    }
}

pub fn content_type(key: &str) -> &'static str {
    match key.rsplit('.').next() {
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

impl Media {
    /// `file://DIR` or `s3://BUCKET?endpoint=URL&region=R` (credentials from the AWS environment).
    pub fn from_url(url: &str, public_base: Option<String>) -> anyhow::Result<Media> {
        if let Some(dir) = url.strip_prefix("file://") {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating media directory {dir}"))?;
            let fs = LocalFileSystem::new_with_prefix(dir)?;
            return Ok(Media {
                store: Arc::new(fs),
                signer: None,
                public_base,
            });
        }
        let parsed = url::Url::parse(url).context("storage URL")?;
        anyhow::ensure!(
            parsed.scheme() == "s3",
            "unsupported storage URL scheme (expected file:// or s3://)"
        );
        let bucket = parsed
            .host_str()
            .context("storage URL needs a bucket: s3://BUCKET")?;
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        for (k, v) in parsed.query_pairs() {
            builder = match k.as_ref() {
                "endpoint" => builder
                    .with_endpoint(v.as_ref())
                    .with_allow_http(v.starts_with("http://"))
                    .with_virtual_hosted_style_request(false),
                "region" => builder.with_region(v.as_ref()),
                other => anyhow::bail!("unknown storage URL parameter {other}"),
            };
        }
        let s3 = Arc::new(builder.build()?);
        Ok(Media {
            store: s3.clone(),
            signer: Some(s3),
            public_base,
        })
    }

    /// Stores bytes under a content-addressed key; the same image is stored once.
    pub async fn put(&self, bytes: Bytes, ext: &str) -> anyhow::Result<String> {
        let key = format!("products/{}.{ext}", hex::encode(Sha256::digest(&bytes)));
        let path = Path::from(key.as_str());
        if self.store.head(&path).await.is_err() {
            self.store
                .put(&path, PutPayload::from(bytes))
                .await
                .context("storing image")?;
        }
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self.store.get(&Path::from(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Where the browser fetches an image: a CDN when configured, else our `/media` route.
    pub fn image_url(&self, key: &str) -> String {
        match &self.public_base {
            Some(base) => format!("{}/{key}", base.trim_end_matches('/')),
            None => format!("/media/{key}"),
        }
    }

    /// In S3 mode `/media` redirects to a short-lived presigned URL instead of proxying bytes.
    pub async fn presigned(&self, key: &str) -> anyhow::Result<Option<String>> {
        let Some(s3) = &self.signer else {
            return Ok(None);
        };
        let url = s3
            .signed_url(
                http::Method::GET,
                &Path::from(key),
                Duration::from_secs(900),
            )
            .await?;
        Ok(Some(url.to_string()))
    }

    /// Reachability: a missing probe object still proves the store answers.
    pub async fn ping(&self) -> anyhow::Result<()> {
        match self.store.head(&Path::from("health/probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_trusts_bytes_not_names() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(sniff_image(b"\xff\xd8\xff\xe0"), Some("jpg"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("webp"));
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff_image(b""), None);
    }

    #[tokio::test]
    async fn file_store_is_content_addressed() {
        let dir = std::env::temp_dir().join(format!("ecomm-media-{}", uuid::Uuid::new_v4()));
        let media = Media::from_url(&format!("file://{}", dir.display()), None).unwrap();
        let a = media.put(Bytes::from_static(b"same"), "png").await.unwrap();
        let b = media.put(Bytes::from_static(b"same"), "png").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(
            media.get(&a).await.unwrap().unwrap(),
            Bytes::from_static(b"same")
        );
        assert!(media.get("products/missing.png").await.unwrap().is_none());
        std::fs::remove_dir_all(dir).ok();
    }
}
