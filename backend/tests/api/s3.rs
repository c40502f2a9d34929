//! Object storage against a real S3-protocol server started by `make test`
//! (ECOMM_TEST_S3_URL = s3://BUCKET?endpoint=…&region=…, credentials in AWS_* variables).
use crate::admin::{image_form, PNG};
use crate::helpers::*;
use bytes::Bytes;
use ecomm::store::media::Media;

fn s3_url() -> String {
    std::env::var("ECOMM_TEST_S3_URL")
        .expect("ECOMM_TEST_S3_URL must point at an S3 server; `make test` starts one")
}

#[tokio::test]
async fn the_s3_backend_stores_and_reads_back_through_a_real_server() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let media = Media::from_url(&s3_url(), None).unwrap();
    media.ping().await.unwrap();
    let body = Bytes::from(format!("payload {}", uuid::Uuid::new_v4()));
    let key = media.put(body.clone(), "png").await.unwrap();
    assert_eq!(media.get(&key).await.unwrap().unwrap(), body);
    assert!(media.get("products/absent.png").await.unwrap().is_none());
    let signed = media
        .presigned(&key)
        .await
        .unwrap()
        .expect("S3 mode presigns");
    assert!(signed.contains("X-Amz-Signature="), "{signed}");
    let fetched = send(client().get(&signed)).await;
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.bytes().await.unwrap(), body);
}

#[tokio::test]
async fn wrong_credentials_are_refused_by_the_server() {
    use object_store::{aws::AmazonS3Builder, path::Path, ObjectStore};
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let url = url::Url::parse(&s3_url()).unwrap();
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    let s3 = AmazonS3Builder::new()
        .with_bucket_name(url.host_str().unwrap())
        .with_endpoint(&q["endpoint"])
        .with_region(&q["region"])
        .with_allow_http(true)
        .with_access_key_id(std::env::var("AWS_ACCESS_KEY_ID").unwrap())
        .with_secret_access_key("definitely-wrong")
        .build()
        .unwrap();
    assert!(s3
        .put(
            &Path::from("products/nope.png"),
            Bytes::from_static(b"nope").into()
        )
        .await
        .is_err());
}

#[db_test]
async fn uploaded_images_land_in_s3_and_media_redirects_to_a_presigned_url(db: Db) {
    let app = TestApp::spawn_with_media(db, &s3_url()).await;
    let admin = app.admin().await;
    let p = app.product("S3-1", 100, 1).await;
    let res = send(
        admin
            .post(app.url(&format!("/api/admin/products/{}/image", p.id)))
            .multipart(image_form(PNG, "image")),
    )
    .await;
    let body = json_of(res).await;
    let media_url = app.url(body["image_url"].as_str().unwrap());
    let redirect = send(app.client.get(&media_url)).await;
    assert_eq!(redirect.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = redirect.headers()["location"].to_str().unwrap().to_owned();
    let image = send(client().get(&location)).await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.bytes().await.unwrap().as_ref(), PNG);
}
