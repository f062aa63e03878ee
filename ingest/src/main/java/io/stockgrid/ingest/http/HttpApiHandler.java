package io.stockgrid.ingest.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.stockgrid.api.Availability;
import io.stockgrid.api.ErrorCode;
import io.stockgrid.api.Limits;
import io.stockgrid.ingest.AdminView;
import io.stockgrid.ingest.CommandPipeline;
import io.stockgrid.ingest.Commands;
import io.stockgrid.ingest.IngestMetrics;
import io.stockgrid.ingest.LogThrottle;
import io.stockgrid.ingest.Operation;
import io.stockgrid.ingest.Refusal;
import io.stockgrid.ingest.RequestLog;
import io.stockgrid.ingest.ReservationOutcome;
import io.stockgrid.ingest.ReservationPhase;
import io.stockgrid.ingest.ReservationState;
import io.stockgrid.ingest.StockOutcome;
import io.stockgrid.ingest.auth.AccessControl;
import io.stockgrid.ingest.auth.Keyring;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * HTTP v1 for one connection: routes a request, admits it (key, scope, rate), reads its body, then calls the handler
 * its {@link Route} names, which validates it and hands it to the pipeline; and writes the answers.
 * Answers complete on other threads and possibly out of order; HTTP/1.1 pipelining needs them in request order, so
 * each request takes a slot in a bounded FIFO and answers leave from its head. When the FIFO is full the connection
 * stops reading until answers drain.
 * <p>
 * Pipelined requests may run in parallel only while they are all safe (RFC 9112, 9.3.2): an unsafe request (a
 * mutation) is started only once every earlier request is answered, and no later request is started until it is
 * answered, so a GET pipelined after a POST sees the POST's effect. Meanwhile the connection stops reading; the
 * {@code FlowControlHandler} in front holds requests that were already decoded.
 * <p>
 * Every answer to a mutating route carries {@code X-Correlation-Id}: the body's {@code correlationId}, else the
 * request's header, else one generated here; and each is written to the {@link RequestLog} as it leaves.
 */
final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpApiHandler.class);
    static final int MAX_PIPELINED_REQUESTS = 32;
    private static final String JSON = "application/json";
    private static final String YAML = "application/yaml";
    private static final String RETRY_AFTER_SECONDS = "1";
    static final String CORRELATION_ID = "X-Correlation-Id";

    private final CommandPipeline pipeline;
    private final IngestMetrics metrics;
    private final RequestLog requestLog;
    private final AdminView admin;
    private final AccessControl access;
    /** True if /metrics and /v1/openapi.yaml answer without a key while keys are checked. */
    private final boolean publicMetrics;
    private final byte[] openApiYaml;
    private final ArrayDeque<Slot> slots = new ArrayDeque<>(MAX_PIPELINED_REQUESTS);
    private ChannelHandlerContext ctx;
    /** The unsafe request that is not answered yet; later requests wait for it. Null if none. */
    private Slot barrier;
    /** The barrier's request (retained) while it waits for earlier answers; null once started. */
    private FullHttpRequest barrierRequest;

    /** One request's place in the connection's answer FIFO, and what its answer and request log line need. */
    static final class Slot
    {
        final long startNs;
        final boolean keepAlive;
        String endpoint = "unmatched";
        /** The route's operation if it is mutating, else null: then the answer is correlated and logged. */
        Operation mutation;
        /** The effective correlation id once known (body, else header); generated at answer time if still null. */
        String correlationId;
        /** The validated command, for the request log's key fields. */
        Object command;
        /** The caller's API key id once authenticated, for the request log; null without one. */
        String keyId;
        FullHttpResponse response;

        Slot(final long startNs, final boolean keepAlive)
        {
            this.startNs = startNs;
            this.keepAlive = keepAlive;
        }
    }

    HttpApiHandler(final CommandPipeline pipeline, final IngestMetrics metrics, final AdminView admin,
        final byte[] openApiYaml, final AccessControl access, final boolean publicMetrics)
    {
        super(true);
        this.access = access;
        this.publicMetrics = publicMetrics;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.requestLog = pipeline.requestLog();
        this.admin = admin;
        this.openApiYaml = openApiYaml;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        // After a request it could not decode the decoder discards the rest of the stream: answer it, then close.
        final Slot slot = new Slot(System.nanoTime(),
            HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess());
        slots.addLast(slot);
        if (!isSafe(request.method()))
        {
            barrier = slot;
            if (slots.size() > 1)
            {
                // The head of the FIFO is always unanswered: start this one when complete() has written the rest.
                barrierRequest = request.retain();
                updateAutoRead();
                return;
            }
        }
        dispatch(request, slot);
        updateAutoRead();
    }

    private static boolean isSafe(final HttpMethod method)
    {
        return HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method);
    }

    private void dispatch(final FullHttpRequest request, final Slot slot)
    {
        try
        {
            handle(request, slot);
        }
        catch (final BadRequest ex)
        {
            respondError(slot, ErrorCode.INVALID_REQUEST, ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            LOG.error("unexpected failure handling {} {}", request.method(), request.uri(), ex);
            respondError(slot, ErrorCode.INTERNAL_ERROR, "internal error");
        }
    }

    private void handle(final FullHttpRequest request, final Slot slot) throws BadRequest
    {
        if (request.decoderResult().isFailure())
        {
            if (request.decoderResult().cause() instanceof TooLongHttpContentException)
            {
                respondError(slot, ErrorCode.PAYLOAD_TOO_LARGE,
                    "request body exceeds " + Limits.BODY_BYTES_MAX + " bytes");
                return;
            }
            throw new BadRequest("malformed HTTP request");
        }
        final String[] segments = pathSegments(request.uri());
        final Route.Match match = Route.find(request.method().name(), segments);
        if (match == null)
        {
            // The path as routed (decoded, authority dropped): decoding the whole target again would throw on a
            // malformed %-escape in an absolute form's authority, which routing never reads (found by HttpFuzzTest).
            respondError(slot, ErrorCode.NOT_FOUND, "no such path: /" + String.join("/", segments));
            return;
        }
        if (match.route() == null)
        {
            final FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED,
                JsonResponses.error(ErrorCode.METHOD_NOT_ALLOWED, request.method().name() + " is not allowed here; "
                    + "allowed: " + String.join(", ", match.allowedMethods())), JSON);
            response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", match.allowedMethods()));
            complete(slot, response);
            return;
        }
        final Route route = match.route();
        slot.endpoint = route.endpoint();
        // A valid header is used (and echoed) right away, so that every refusal below carries it too.
        final String correlationHeader = request.headers().get(CORRELATION_ID);
        if (JsonRequests.isCorrelationId(correlationHeader))
        {
            slot.correlationId = correlationHeader;
        }
        if (route.mutating())
        {
            slot.mutation = route.operation();
        }
        if (access.enabled() && route.scope() != null && !(publicMetrics && route.publicUnlessClosed())
            && !admitted(request, route, slot))
        {
            return;
        }
        final String keyId = slot.keyId;
        final List<String> params = match.params();
        byte[] body = null;
        if (route.hasBody())
        {
            final String mime = String.valueOf(HttpUtil.getMimeType(request));
            if (!JSON.equalsIgnoreCase(mime))
            {
                respondError(slot, ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json");
                return;
            }
            body = new byte[request.content().readableBytes()];
            request.content().readBytes(body);
        }
        // Checked for every route, before its handler runs: a malformed header is refused even on a read.
        final String correlationId = JsonRequests.correlationIdHeader(correlationHeader);
        route.handler().handle(this, new Call(slot, params, body, keyId, correlationId));
    }

    /**
     * One admitted request as its route's handler sees it: its slot (answered through {@link #answer} or
     * {@link #complete}), the path parameters in template order, the body (null for a route without one), the
     * caller's key id (null without keys) and the request's valid X-Correlation-Id header (or null).
     */
    record Call(Slot slot, List<String> params, byte[] body, String keyId, String correlationId)
    {
    }

    // ----------------------------------------------------------------------------------------------------------------
    // The handlers the route table names, one per route: each validates its input and answers its slot.
    // ----------------------------------------------------------------------------------------------------------------

    void setStock(final Call call) throws BadRequest
    {
        final String sku = JsonRequests.pathKeyPart("sku", call.params().get(0));
        final String location = JsonRequests.pathKeyPart("location", call.params().get(1));
        final Commands.SetStock command = JsonRequests.setStock(sku, location, correlatedBody(call.slot(),
            call.body()));
        call.slot().command = command;
        answerStock(call.slot(), pipeline.setStock(command, call.keyId()));
    }

    void adjustStock(final Call call) throws BadRequest
    {
        final String sku = JsonRequests.pathKeyPart("sku", call.params().get(0));
        final String location = JsonRequests.pathKeyPart("location", call.params().get(1));
        final Commands.Adjust command = JsonRequests.adjust(sku, location, correlatedBody(call.slot(), call.body()));
        call.slot().command = command;
        answerStock(call.slot(), pipeline.adjust(command, call.keyId()));
    }

    void acceptReturn(final Call call) throws BadRequest
    {
        final Commands.Return command = JsonRequests.returnOf(correlatedBody(call.slot(), call.body()));
        call.slot().command = command;
        answerStock(call.slot(), pipeline.acceptReturn(command, call.keyId()));
    }

    void availability(final Call call) throws BadRequest
    {
        final String sku = JsonRequests.pathKeyPart("sku", call.params().get(0));
        final String location = JsonRequests.pathKeyPart("location", call.params().get(1));
        answer(call.slot(), pipeline.availability(sku, location),
            a -> response(HttpResponseStatus.OK, JsonResponses.availability(a), JSON));
    }

    void skuAvailability(final Call call) throws BadRequest
    {
        final String sku = JsonRequests.pathKeyPart("sku", call.params().get(0));
        answer(call.slot(), pipeline.availability(sku),
            s -> response(HttpResponseStatus.OK, JsonResponses.skuAvailability(s), JSON));
    }

    void reserve(final Call call) throws BadRequest
    {
        final Commands.Reserve parsed = JsonRequests.reserve(correlatedBody(call.slot(), call.body()),
            call.correlationId());
        final String keyId = call.keyId();
        final Commands.Reserve command = keyId == null ? parsed : new Commands.Reserve(parsed.reservationId(),
            parsed.lines(), parsed.ttlSeconds(), parsed.correlationId(), parsed.fingerprint(), keyId);
        call.slot().command = command;
        answer(call.slot(), pipeline.reserve(command), HttpApiHandler::reserveResponse);
    }

    void getReservation(final Call call) throws BadRequest
    {
        final String id = JsonRequests.pathRequestId("reservationId", call.params().get(0));
        answer(call.slot(), pipeline.reservation(id), r -> r == null || r.phase() == ReservationPhase.PENDING ?
            errorResponse(Refusal.RESERVATION_NOT_FOUND, Refusal.RESERVATION_NOT_FOUND.message(id)) :
            response(HttpResponseStatus.OK, JsonResponses.reservation(r.current(), r.createdBy()), JSON));
    }

    void commit(final Call call) throws BadRequest
    {
        settle(call, Commands.SettleAction.COMMIT);
    }

    void release(final Call call) throws BadRequest
    {
        settle(call, Commands.SettleAction.RELEASE);
    }

    private void settle(final Call call, final Commands.SettleAction action) throws BadRequest
    {
        final String id = JsonRequests.pathRequestId("reservationId", call.params().get(0));
        final Commands.Settle command = new Commands.Settle(id, action);
        call.slot().command = command;
        answer(call.slot(), pipeline.settle(command, call.keyId()), o -> settleResponse(id, o));
    }

    void openApi(final Call call)
    {
        complete(call.slot(), response(HttpResponseStatus.OK, openApiYaml, YAML));
    }

    void live(final Call call)
    {
        complete(call.slot(), response(HttpResponseStatus.OK, JsonResponses.health("UP"), JSON));
    }

    void ready(final Call call)
    {
        complete(call.slot(), !pipeline.isReady() ?
            response(HttpResponseStatus.SERVICE_UNAVAILABLE, JsonResponses.health("NOT_READY"), JSON) :
            !pipeline.hasQuorum() ?
            // On the minority side of a split: a load balancer should send writers elsewhere.
            response(HttpResponseStatus.SERVICE_UNAVAILABLE, JsonResponses.health("NO_QUORUM"), JSON) :
            response(HttpResponseStatus.OK, JsonResponses.health("READY"), JSON));
    }

    void metrics(final Call call)
    {
        complete(call.slot(), response(HttpResponseStatus.OK, metrics.scrape(), metrics.contentType()));
    }

    void adminCluster(final Call call)
    {
        answer(call.slot(), admin.clusterJson(), json -> response(HttpResponseStatus.OK, json, JSON));
    }

    void adminDrain(final Call call)
    {
        if (admin.drain())
        {
            LOG.info("drain requested over HTTP by {}: readiness goes 503, in-flight requests finish, then "
                + "the node stops", ctx.channel().remoteAddress());
            complete(call.slot(), response(HttpResponseStatus.ACCEPTED, JsonResponses.health("DRAINING"), JSON));
        }
        else
        {
            respondError(call.slot(), ErrorCode.NOT_READY, "the node is still starting and cannot drain yet");
        }
    }

    /**
     * Authenticates the request's bearer key and checks its scope and rate budget for the route; answers the refusal
     * (401, 403 or 429) and returns false if it is refused. Nothing is parsed, applied or journaled before this.
     */
    private boolean admitted(final FullHttpRequest request, final Route route, final Slot slot)
    {
        final Keyring.Entry caller = access.authenticateBearer(request.headers().get(HttpHeaderNames.AUTHORIZATION),
            "http");
        if (caller == null)
        {
            final FullHttpResponse response = errorResponse(ErrorCode.UNAUTHENTICATED,
                "a known API key is required: send 'Authorization: Bearer <secret>'");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            complete(slot, response);
            return false;
        }
        slot.keyId = caller.id();
        final long verdict = access.admit(caller, route.scope());
        if (verdict == AccessControl.FORBIDDEN)
        {
            respondError(slot, ErrorCode.FORBIDDEN, "key " + caller.id() + " lacks the scope '"
                + route.scope().label() + "' that " + route.method() + " " + route.template() + " needs");
            return false;
        }
        if (verdict != AccessControl.ALLOWED)
        {
            final long retryAfterSeconds = Math.max(1, (verdict + 999_999_999L) / 1_000_000_000L);
            final FullHttpResponse response = errorResponse(ErrorCode.RATE_LIMITED, "key " + caller.id()
                + " is over its rate limit (" + caller.key().ratePerSecond() + "/s, burst " + caller.key().burst()
                + "); retry after " + retryAfterSeconds + " s");
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
            complete(slot, response);
            return false;
        }
        return true;
    }

    /** Parses a mutating route's body and takes its {@code correlationId}, if it has one, for the answer. */
    private static JsonNode correlatedBody(final Slot slot, final byte[] body) throws BadRequest
    {
        final JsonNode node = JsonRequests.parseObject(body);
        final String bodyCorrelationId = JsonRequests.bodyCorrelationId(node);
        if (bodyCorrelationId != null)
        {
            slot.correlationId = bodyCorrelationId;
        }
        return node;
    }

    private static FullHttpResponse reserveResponse(final ReservationOutcome o)
    {
        final Refusal refusal = Refusal.ofReserve(o.code());
        if (refusal != null)
        {
            return errorResponse(refusal, refusal.message());
        }
        return o.state().firstOutcome() == ReservationPhase.REJECTED ?
            new ErrorAnswer(HttpResponseStatus.CONFLICT, JsonResponses.rejected(o.state().asFirstAnswered()),
                ErrorCode.INSUFFICIENT_STOCK) :
            response(HttpResponseStatus.CREATED, JsonResponses.reservation(o.state().asFirstAnswered()), JSON);
    }

    private static FullHttpResponse settleResponse(final String id, final ReservationOutcome o)
    {
        final Refusal refusal = Refusal.ofSettle(o.code());
        if (refusal == null)
        {
            return response(HttpResponseStatus.OK, JsonResponses.reservation(o.state().current()), JSON);
        }
        if (refusal == Refusal.RESERVATION_NOT_HELD)
        {
            final String status = o.state().phase().name();
            return new ErrorAnswer(HttpResponseStatus.valueOf(refusal.httpStatus()),
                JsonResponses.notHeld(refusal.message(id, status), status), refusal.code());
        }
        return errorResponse(refusal, refusal.message(id));
    }

    private void answerStock(final Slot slot, final CompletableFuture<StockOutcome> future)
    {
        answer(slot, future, o ->
        {
            final Availability a = o.availability();
            final Refusal refusal = Refusal.ofStock(o.code());
            if (refusal == null)
            {
                return response(HttpResponseStatus.OK, JsonResponses.availability(a), JSON);
            }
            // NEGATIVE_STOCK, STOCK_LIMIT name the onHand the change was refused against.
            return errorResponse(refusal, refusal.arguments() == 1 ? refusal.message(a.onHand()) : refusal.message());
        });
    }

    private <T> void answer(final Slot slot, final CompletableFuture<T> future,
        final Function<T, FullHttpResponse> render)
    {
        future.whenComplete((value, error) ->
        {
            FullHttpResponse response;
            if (error == null)
            {
                try
                {
                    response = render.apply(value);
                }
                catch (final RuntimeException ex)
                {
                    LOG.error("failed to render an answer", ex);
                    response = errorResponse(ErrorCode.INTERNAL_ERROR, "internal error");
                }
            }
            else
            {
                response = failureResponse(error);
            }
            final FullHttpResponse answer = response;
            if (ctx.executor().inEventLoop())
            {
                complete(slot, answer);
            }
            else
            {
                ctx.executor().execute(() -> complete(slot, answer));
            }
        });
    }

    private static FullHttpResponse failureResponse(final Throwable error)
    {
        final Refusal refusal = Refusal.ofFailure(error);
        if (refusal == Refusal.GRID_FAILED)
        {
            logGridFailure(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
        }
        return errorResponse(refusal, refusal.message());
    }

    private static final LogThrottle GRID_FAILURE_LOG = new LogThrottle(10_000_000_000L);

    /** During an outage every request fails alike: log one with its stack trace per 10 s, and count the rest. */
    private static void logGridFailure(final Throwable cause)
    {
        final long unlogged = GRID_FAILURE_LOG.tryLog();
        if (unlogged >= 0)
        {
            LOG.warn("request failed in the grid ({} more since the last such line)", unlogged, cause);
        }
    }

    private void respondError(final Slot slot, final ErrorCode code, final String message)
    {
        complete(slot, errorResponse(code, message));
    }

    /** An outcome of the table both doors read: its status, code, and Retry-After. */
    private static FullHttpResponse errorResponse(final Refusal refusal, final String message)
    {
        final FullHttpResponse response = new ErrorAnswer(HttpResponseStatus.valueOf(refusal.httpStatus()),
            JsonResponses.error(refusal.code(), message), refusal.code());
        if (refusal.retryAfterMs() > 0)
        {
            response.headers().set(HttpHeaderNames.RETRY_AFTER,
                Long.toString((refusal.retryAfterMs() + 999L) / 1_000L));
        }
        return response;
    }

    private static FullHttpResponse errorResponse(final ErrorCode code, final String message)
    {
        final FullHttpResponse response = new ErrorAnswer(HttpResponseStatus.valueOf(code.httpStatus()),
            JsonResponses.error(code, message), code);
        if (code.httpStatus() == 503)
        {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response;
    }

    /** A JSON answer that carries an error code, which the request log reports. */
    private static final class ErrorAnswer extends DefaultFullHttpResponse
    {
        final ErrorCode code;

        ErrorAnswer(final HttpResponseStatus status, final byte[] body, final ErrorCode code)
        {
            super(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
            this.code = code;
            headers().set(HttpHeaderNames.CONTENT_TYPE, JSON);
            headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        }
    }

    static FullHttpResponse response(final HttpResponseStatus status, final byte[] body, final String contentType)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    /**
     * Event loop only: records the answer, writes every answer that is now at the head, in order, and starts a
     * waiting unsafe request once everything before it is answered.
     */
    private void complete(final Slot slot, final FullHttpResponse response)
    {
        slot.response = response;
        if (slot == barrier)
        {
            barrier = null;
        }
        boolean wrote = false;
        while (!slots.isEmpty() && slots.peekFirst().response != null)
        {
            final Slot head = slots.pollFirst();
            final int code = head.response.status().code();
            final long durationNs = System.nanoTime() - head.startNs;
            metrics.recordRequest(head.endpoint, code, durationNs);
            if (head.mutation != null)
            {
                if (head.correlationId == null)
                {
                    head.correlationId = requestLog.newCorrelationId();
                }
                if (requestLog.isEnabled())
                {
                    requestLog.log("http", head.mutation, head.correlationId, head.keyId, head.command, code,
                        head.response instanceof ErrorAnswer e ? e.code : null, durationNs);
                }
            }
            if (head.correlationId != null)
            {
                head.response.headers().set(CORRELATION_ID, head.correlationId);
            }
            if (head.keepAlive)
            {
                head.response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                ctx.write(head.response);
                wrote = true;
            }
            else
            {
                head.response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(head.response).addListener(ChannelFutureListener.CLOSE);
                wrote = false;
                dropSlots();
                return;
            }
        }
        if (wrote)
        {
            ctx.flush();
        }
        if (barrierRequest != null && slots.peekFirst() == barrier)
        {
            final FullHttpRequest request = barrierRequest;
            barrierRequest = null;
            try
            {
                dispatch(request, barrier);
            }
            finally
            {
                request.release();
            }
        }
        updateAutoRead();
    }

    /** Reads on while the FIFO has room and no unsafe request is unanswered. */
    private void updateAutoRead()
    {
        final boolean read = barrier == null && slots.size() < MAX_PIPELINED_REQUESTS;
        if (ctx.channel().config().isAutoRead() != read)
        {
            ctx.channel().config().setAutoRead(read);
        }
    }

    /** Forgets every request of the connection: their answers will not be written, a waiting one is not started. */
    private void dropSlots()
    {
        for (final Slot dropped : slots)
        {
            if (dropped.response != null)
            {
                dropped.response.release();
            }
        }
        slots.clear();
        barrier = null;
        if (barrierRequest != null)
        {
            barrierRequest.release();
            barrierRequest = null;
        }
    }

    private static String[] pathSegments(final String uri) throws BadRequest
    {
        String target = uri;
        if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8))
        {
            // Absolute form (RFC 9112 3.2.2): servers must accept it; the path starts after the authority.
            final int pathStart = target.indexOf('/', target.indexOf("//") + 2);
            target = pathStart < 0 ? "/" : target.substring(pathStart);
        }
        final String rawPath = new QueryStringDecoder(target).rawPath();
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/')
        {
            throw new BadRequest("request target must be an absolute path");
        }
        final String[] segments = rawPath.substring(1).split("/", -1);
        try
        {
            for (int i = 0; i < segments.length; i++)
            {
                segments[i] = QueryStringDecoder.decodeComponent(segments[i], StandardCharsets.UTF_8);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadRequest("malformed percent-encoding in path");
        }
        return segments;
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        dropSlots();
        super.channelInactive(ctx);
    }

    /** Closes a connection that has been idle (no reads or writes) for the idle timeout. */
    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (evt instanceof IdleStateEvent)
        {
            ctx.close();
        }
        else
        {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        LOG.debug("connection error, closing", cause);
        ctx.close();
    }
}
