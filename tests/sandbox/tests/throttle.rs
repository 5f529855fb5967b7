//! Outlook's limits through HTTP: 429 `ApplicationThrottled` with `Retry-After` for the fifth
//! concurrent request and past the request rate (with a time scale), per app and mailbox, and
//! per `$batch` item. (The rules themselves are unit-tested in `src/throttle.rs`.)

mod support;

use std::time::Duration;

use exokit_sandbox::throttle::{CONCURRENCY_MESSAGE, Limits, RATE_MESSAGE};
use serde_json::json;
use support::transport::*;

const ALICE_CONTACTS: &str = "/v1.0/users/alice@fabrikam.onmicrosoft.com/contacts";
const BOB_CONTACTS: &str = "/v1.0/users/bob@fabrikam.onmicrosoft.com/contacts";

fn assert_throttled(answer: &Answer, message: &str) {
    assert_eq!(answer.status, 429, "{}", answer.body);
    assert_eq!(answer.body["error"]["code"], "ApplicationThrottled");
    assert_eq!(answer.body["error"]["message"], message);
    let retry_after: f64 = answer
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry_after >= 1.0, "{retry_after}");
}

#[tokio::test]
async fn the_fifth_concurrent_request_to_a_mailbox_gets_429_while_another_mailbox_passes() {
    let sandbox = start();
    let client = Client::login(sandbox.url()).await;
    // Four requests of this app in flight on Alice's mailbox.
    let held: Vec<_> = (0..4)
        .map(|_| sandbox.state.throttle.enter(APP, ALICE).expect("a slot"))
        .collect();
    let fifth = client.get(ALICE_CONTACTS).await;
    assert_throttled(&fifth, CONCURRENCY_MESSAGE);
    assert_eq!(fifth.header("retry-after"), Some("1"));
    assert_eq!(
        client.get(BOB_CONTACTS).await.status,
        200,
        "Bob's mailbox is not affected"
    );
    drop(held);
    assert_eq!(
        client.get(ALICE_CONTACTS).await.status,
        200,
        "the slots are free again"
    );
}

#[tokio::test]
async fn past_the_request_rate_a_mailbox_gets_429_until_the_window_moves() {
    // 10,000 per 10 minutes at a time scale of 1,000: 10 requests per 0.6 seconds.
    let sandbox = start_with(|o| o.time_scale = 1000.0);
    assert_eq!(
        sandbox.state.throttle.limits(),
        Limits {
            concurrency: 4,
            requests: 10,
            window: Duration::from_millis(600)
        }
    );
    let client = Client::login(sandbox.url()).await;
    for i in 0..10 {
        assert_eq!(client.get(ALICE_CONTACTS).await.status, 200, "request {i}");
    }
    let refused = client.get(ALICE_CONTACTS).await;
    assert_throttled(&refused, RATE_MESSAGE);
    assert_eq!(
        client.get(BOB_CONTACTS).await.status,
        200,
        "Bob's mailbox has its own count"
    );
    let wait: f64 = refused.header("retry-after").unwrap().parse().unwrap();
    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
    assert_eq!(
        client.get(ALICE_CONTACTS).await.status,
        200,
        "after Retry-After"
    );
}

#[tokio::test]
async fn without_a_time_scale_the_rate_is_outlooks() {
    let sandbox = start();
    assert_eq!(sandbox.state.throttle.limits(), Limits::OUTLOOK);
}

#[tokio::test]
async fn batch_items_count_one_by_one() {
    let sandbox = start_with(|o| {
        o.throttle = Limits {
            concurrency: 4,
            requests: 5,
            window: Duration::from_secs(60),
        }
    });
    let client = Client::login(sandbox.url()).await;
    let requests: Vec<_> = (0..8).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/users/alice@fabrikam.onmicrosoft.com/contacts"})).collect();
    let batch = client
        .post("/v1.0/$batch", json!({"requests": requests}))
        .await;
    assert_eq!(batch.status, 200, "{}", batch.body);
    let items = batch.body["responses"].as_array().unwrap();
    let throttled: Vec<_> = items.iter().filter(|i| i["status"] == 429).collect();
    assert_eq!((items.len(), throttled.len()), (8, 3), "{}", batch.body);
    for item in throttled {
        assert_eq!(item["body"]["error"]["code"], "ApplicationThrottled");
        assert_eq!(item["body"]["error"]["message"], RATE_MESSAGE);
        assert!(item["headers"]["Retry-After"].is_string(), "{item}");
    }
}

#[tokio::test]
async fn limits_can_be_changed_at_run_time() {
    let sandbox = start();
    let client = Client::login(sandbox.url()).await;
    let (status, _) = control(
        sandbox.url(),
        "throttle",
        json!({"requests": 2, "windowSeconds": 60}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        control_get(sandbox.url(), "throttle").await,
        json!({"concurrency": 4, "requests": 2, "windowSeconds": 60.0})
    );
    assert_eq!(client.get(ALICE_CONTACTS).await.status, 200);
    assert_eq!(client.get(ALICE_CONTACTS).await.status, 200);
    assert_throttled(&client.get(ALICE_CONTACTS).await, RATE_MESSAGE);
    reqwest::Client::new()
        .delete(format!("{}/_sandbox/throttle", sandbox.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        client.get(ALICE_CONTACTS).await.status,
        200,
        "the windows were forgotten"
    );
    let (status, reason) = control(sandbox.url(), "throttle", json!({"requests": 0})).await;
    assert_eq!(status, 400, "{reason}");
}
