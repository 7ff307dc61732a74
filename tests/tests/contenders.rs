//! The benchmarks compare like with like: in every scenario, each contender answers with the same status,
//! headers and bytes as the first, over real HTTP.

use errorhandler_tests::TestServer;
use errorhandler_tests::contenders::scenarios;

/// What a response is made of, but for its `date`.
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

async fn answer(server: &TestServer, path: &str) -> Answer {
    let response = reqwest::get(server.url(path)).await.expect("response");
    let status = response.status().as_u16();
    let mut headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| *name != "date")
        .map(|(name, value)| (name.to_string(), value.to_str().expect("ascii").to_owned()))
        .collect();
    headers.sort();
    let body = response.bytes().await.expect("body").to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn every_contender_of_a_scenario_answers_the_same_bytes() {
    for scenario in scenarios() {
        let mut contenders = scenario.contenders.into_iter();
        let (baseline_name, baseline) = contenders.next().expect("a baseline");
        let expected = answer(&TestServer::start(baseline).await, scenario.path).await;
        for (name, router) in contenders {
            if name.contains("empty 404") {
                // The measure of what the router costs alone, not a contender.
                continue;
            }
            let actual = answer(&TestServer::start(router).await, scenario.path).await;
            assert_eq!(
                actual, expected,
                "{}: {name} answers otherwise than {baseline_name}",
                scenario.name
            );
        }
    }
}
