package dev.gannet.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;

import static dev.gannet.server.http.ServerHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every field with a wrong type or an out-of-range value: a 400 whose {@code param} names it. */
class BadInputTest {
    static ServerHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new ServerHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /v1/completions | "max_tokens":"5"                       | max_tokens
            /v1/completions | "max_tokens":0                         | max_tokens
            /v1/completions | "max_tokens":2.5                       | max_tokens
            /v1/completions | "temperature":"hot"                    | temperature
            /v1/completions | "temperature":3                        | temperature
            /v1/completions | "top_p":0                              | top_p
            /v1/completions | "top_p":1.5                            | top_p
            /v1/completions | "top_k":"a"                             | top_k
            /v1/completions | "top_k":-2                             | top_k
            /v1/completions | "min_p":2                              | min_p
            /v1/completions | "n":0                                  | n
            /v1/completions | "n":1000                               | n
            /v1/completions | "n":"2"                                | n
            /v1/completions | "stop":5                               | stop
            /v1/completions | "stop":[1]                             | stop
            /v1/completions | "seed":"x"                             | seed
            /v1/completions | "seed":1.5                             | seed
            /v1/completions | "presence_penalty":3                   | presence_penalty
            /v1/completions | "frequency_penalty":-3                 | frequency_penalty
            /v1/completions | "repetition_penalty":0                 | repetition_penalty
            /v1/completions | "repetition_penalty":"x"               | repetition_penalty
            /v1/completions | "logit_bias":[]                        | logit_bias
            /v1/completions | "logit_bias":{"a":1}                   | logit_bias
            /v1/completions | "logit_bias":{"5":200}                 | logit_bias
            /v1/completions | "logit_bias":{"99999999":1}            | logit_bias
            /v1/completions | "logprobs":21                          | logprobs
            /v1/completions | "logprobs":true                        | logprobs
            /v1/completions | "echo":"yes"                           | echo
            /v1/completions | "user":5                               | user
            /v1/completions | "ignore_eos":"no"                      | ignore_eos
            /v1/completions | "min_tokens":-1                        | min_tokens
            /v1/completions | "min_tokens":10,"max_tokens":5         | min_tokens
            /v1/completions | "stream":"yes"                         | stream
            /v1/completions | "stream_options":{"include_usage":true} | stream_options
            /v1/completions | "stream":true,"stream_options":5       | stream_options
            /v1/completions | "stop_token_ids":["a"]                 | stop_token_ids
            /v1/completions | "model":5                              | model
            /v1/completions | "max_tokens":300                       | max_tokens
            /v1/completions | "stop_token_ids":[70000]               | stop_token_ids
            /v1/completions | "stop":["x","x","x","x","x","x","x","x","x","x","x","x","x","x","x","x","x"] | stop
            /v1/completions | "priority":"high"                      | priority
            /v1/completions | "cache_salt":""                        | cache_salt
            /v1/completions | "cache_salt":5                         | cache_salt
            /v1/completions | "suffix":"end"                         | suffix
            /v1/completions | "best_of":3                            | best_of
            /v1/completions | "n":2,"best_of":1                      | best_of
            /v1/completions | "response_format":{"type":"sound"}     | response_format
            /v1/completions | "response_format":{"type":"json_schema"} | response_format
            /v1/completions | "guided_json":{"type":"objekt"}        | guided_json
            /v1/completions | "guided_json":5                        | guided_json
            /v1/completions | "guided_regex":"a("                    | guided_regex
            /v1/completions | "guided_regex":["a"]                   | guided_regex
            /v1/completions | "guided_choice":[]                     | guided_choice
            /v1/completions | "guided_choice":["a",1]                | guided_choice
            /v1/completions | "guided_grammar":"root ::= x"          | guided_grammar
            /v1/completions | "guided_whitespace_pattern":" *"       | guided_whitespace_pattern
            /v1/completions | "structured_outputs":{"regex":"a+","choice":["a"]} | structured_outputs
            /v1/completions | "structured_outputs":{"whitespace_pattern":" "} | structured_outputs
            /v1/completions | "structured_outputs":"a+"              | structured_outputs
            /v1/completions | "guided_regex":"a","guided_choice":["a"] | guided_choice
            /v1/completions | "response_format":{"type":"json_object"},"structured_outputs":{"regex":"a"} | structured_outputs
            /v1/completions | "prompt_logprobs":1                    | prompt_logprobs
            """)
    void completionFieldErrors(String path, String field, String param) throws Exception {
        String body = field.contains("\"prompt\"") ? "{" + field + "}" : "{\"prompt\":\"x\"," + field + "}";
        assertBadRequest(path, body, param);
    }

    @ParameterizedTest(name = "prompt {0} -> prompt")
    @CsvSource(delimiter = '|', textBlock = """
            "max_tokens":1
            "prompt":5
            "prompt":[]
            "prompt":[-1]
            "prompt":[70000]
            "prompt":[[1,"a"]]
            "prompt":[true]
            "prompt":{}
            """)
    void promptErrors(String field) throws Exception {
        assertBadRequest("/v1/completions", "{" + field + "}", "prompt");
    }

    @Test
    void promptLongerThanTheContext() throws Exception {
        assertBadRequest("/v1/completions", "{\"prompt\":\"" + "x".repeat(300) + "\"}", "prompt");
        assertBadRequest("/v1/completions", "{\"prompt\":\"" + "x".repeat(200) + "\",\"max_tokens\":100}", "max_tokens");
    }

    @ParameterizedTest(name = "chat {0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            "max_tokens":1                                                           | messages
            "messages":[]                                                            | messages
            "messages":"hi"                                                          | messages
            "messages":[{"role":"bot","content":"x"}]                                | messages
            "messages":[{"role":"user","content":5}]                                 | messages
            "messages":[{"role":"user","content":[{"type":"image_url"}]}]            | messages
            "messages":[{"role":"user","content":"x"}],"max_completion_tokens":0     | max_completion_tokens
            "messages":[{"role":"user","content":"x"}],"logprobs":"yes"              | logprobs
            "messages":[{"role":"user","content":"x"}],"top_logprobs":2              | top_logprobs
            "messages":[{"role":"user","content":"x"}],"logprobs":true,"top_logprobs":30 | top_logprobs
            "messages":[{"role":"user","content":"x"}],"temperature":-1              | temperature
            "messages":[{"role":"user","content":"x"}],"max_tokens":1000             | max_tokens
            "messages":[{"role":"user","content":"x"}],"max_completion_tokens":1000  | max_completion_tokens
            "messages":[{"role":"user","content":"x"}],"min_tokens":9,"max_completion_tokens":3 | min_tokens
            "messages":[{"role":"user","content":"x"}],"response_format":{"type":"sound"} | response_format
            "messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"minLength":"x"}}} | response_format
            "messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":5,"schema":{}}} | response_format
            "messages":[{"role":"user","content":"x"}],"response_format":"json"      | response_format
            "messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}] | tools
            "messages":[{"role":"user","content":"x"}],"tools":{}                    | tools
            "messages":[{"role":"user","content":"x"}],"tool_choice":"required"      | tool_choice
            "messages":[{"role":"user","content":"x"}],"functions":[{"name":"f"}]    | functions
            "messages":[{"role":"user","content":"x"}],"modalities":["audio"]        | modalities
            "messages":[{"role":"user","content":"x"}],"chat_template_kwargs":[1]     | chat_template_kwargs
            "messages":[{"role":"user","content":"x"}],"chat_template_kwargs":{"messages":1} | chat_template_kwargs
            "messages":[{"role":"user","content":"x"}],"documents":"d"               | documents
            "messages":[{"role":"user","content":"x"}],"continue_final_message":true,"add_generation_prompt":true | continue_final_message
            """)
    void chatFieldErrors(String fields, String param) throws Exception {
        assertBadRequest("/v1/chat/completions", "{" + fields + "}", param);
    }

    @Test
    void fieldsThatAskForNothingAreAccepted() throws Exception {
        String chat = "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2,";
        for (String fields : new String[] {"\"response_format\":{\"type\":\"text\"}", "\"tools\":[]",
                "\"tool_choice\":\"none\"", "\"parallel_tool_calls\":false", "\"modalities\":[\"text\"]",
                "\"priority\":-5", "\"cache_salt\":\"tenant-7\"", "\"chat_template_kwargs\":{\"enable_thinking\":false}",
                "\"documents\":[{\"title\":\"a\",\"text\":\"b\"}]", "\"continue_final_message\":false"}) {
            HttpResponse<String> r = h.post("/v1/chat/completions", "{" + chat + fields + "}");
            assertEquals(200, r.statusCode(), fields + " -> " + r.body());
        }
    }

    @Test
    void tokenizeAndDetokenizeFieldErrors() throws Exception {
        assertBadRequest("/tokenize", "{}", "prompt");
        assertBadRequest("/tokenize", "{\"prompt\":5}", "prompt");
        assertBadRequest("/tokenize", "{\"prompt\":\"x\",\"add_special_tokens\":\"no\"}", "add_special_tokens");
        assertBadRequest("/detokenize", "{\"tokens\":\"x\"}", "tokens");
        assertBadRequest("/detokenize", "{\"tokens\":[-5]}", "tokens");
    }

    @Test
    void invalidJsonAndNonObjectBodies() throws Exception {
        // trailing data and a duplicate key used to be accepted (the last value won)
        for (String body : new String[] {"{\"prompt\":", "[1,2]", "", "nonsense", "{\"prompt\":\"x\"} trailing",
                "{\"prompt\":\"x\"}{}", "{\"prompt\":\"x\",\"prompt\":\"y\"}", "{\"prompt\":\"x\",\"max_tokens\":1,\"max_tokens\":99}"}) {
            HttpResponse<String> r = h.post("/v1/completions", body);
            assertEquals(400, r.statusCode(), body);
            JsonNode err = json(r.body()).get("error");
            assertEquals("invalid_request_error", err.get("type").asText());
            assertTrue(err.get("param").isNull());
            assertFalse(r.body().contains("Exception"), r.body());
        }
    }

    static void assertBadRequest(String path, String body, String param) throws Exception {
        HttpResponse<String> r = h.post(path, body);
        assertEquals(400, r.statusCode(), body + " -> " + r.body());
        JsonNode err = json(r.body()).get("error");
        assertEquals(param, err.get("param").asText(), r.body());
        assertEquals("invalid_request_error", err.get("type").asText());
        assertTrue(err.has("code") && err.has("message"));
        assertFalse(err.get("message").asText().contains("Exception"), r.body());
    }
}
