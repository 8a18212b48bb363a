// Package flight serves analysts' SQL over Arrow Flight SQL (`shequ serve
// --flight-addr`), for their own tools: read-only SQL on the published
// snapshot, refused and sandboxed exactly as `shequ sql` and the web
// application's SQL page, with the web application's accounts and API
// tokens and its district scoping (a district account's SQL runs on its
// district's rows only: web/data.Snapshots.SQL). Results stream as Arrow
// record batches (web/arrowsql).
//
// Authentication: a client either sends an API token (`shequ users token
// NAME`) as "authorization: Bearer TOKEN" on every call, or signs in with
// its name and password (Flight's Basic handshake, throttled as the web
// login is) and gets a bearer token for the session.
package flight

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"shequ/queries"
	"shequ/web/arrowsql"
	"shequ/web/data"
)

// Principal is who calls: an account and the rows it may see.
type Principal struct {
	Name  string
	Scope data.Scope
}

// Accounts are the web application's accounts, as Flight checks them.
type Accounts interface {
	// Token returns the account of an API token.
	Token(token string) (Principal, bool)
	// Password checks a name and password (throttled, audited).
	Password(name, password string) (Principal, error)
	// Audit records what an account did over Flight.
	Audit(p Principal, what, detail string)
}

// sessionTTL is how long a token from a password sign-in lasts.
const sessionTTL = 12 * time.Hour

// Server is the Flight SQL server.
type Server struct {
	flightsql.BaseServer
	snap     *data.Snapshots
	accounts Accounts
	log      *slog.Logger
	now      func() time.Time

	mu       sync.Mutex
	sessions map[string]session

	grpc *grpc.Server
}

type session struct {
	p       Principal
	expires time.Time
}

var _ flightsql.Server = (*Server)(nil)

// New returns a server reading snap, its callers checked by accounts.
func New(snap *data.Snapshots, accounts Accounts, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{snap: snap, accounts: accounts, log: log, now: time.Now, sessions: map[string]session{}}
	s.Alloc = memory.DefaultAllocator
	for k, v := range map[flightsql.SqlInfo]any{
		flightsql.SqlInfoFlightSqlServerName:         "shequ",
		flightsql.SqlInfoFlightSqlServerVersion:      "1",
		flightsql.SqlInfoFlightSqlServerArrowVersion: "18",
		flightsql.SqlInfoFlightSqlServerReadOnly:     true,
		flightsql.SqlInfoFlightSqlServerSql:          true,
		flightsql.SqlInfoFlightSqlServerSubstrait:    false,
		flightsql.SqlInfoFlightSqlServerTransaction:  int32(0),
		flightsql.SqlInfoFlightSqlServerCancel:       false,
	} {
		if err := s.RegisterSqlInfo(k, v); err != nil {
			log.Warn("flight sql info", "info", k, "err", err)
		}
	}
	return s
}

// Serve serves Flight SQL on ln until Stop; with tlsCert and tlsKey over
// TLS.
func (s *Server) Serve(ln net.Listener, tlsCert, tlsKey string) error {
	var opts []grpc.ServerOption
	if tlsCert != "" {
		creds, err := credentials.NewServerTLSFromFile(tlsCert, tlsKey)
		if err != nil {
			return fmt.Errorf("flight TLS: %w", err)
		}
		opts = append(opts, grpc.Creds(creds))
	}
	mw := flight.CreateServerBasicAuthMiddleware(validator{s})
	opts = append(opts, grpc.ChainUnaryInterceptor(mw.Unary), grpc.ChainStreamInterceptor(mw.Stream), grpc.MaxRecvMsgSize(16<<20))
	g := grpc.NewServer(opts...)
	flight.RegisterFlightServiceServer(g, flightsql.NewFlightServer(s))
	s.mu.Lock()
	s.grpc = g
	s.mu.Unlock()
	return g.Serve(ln)
}

// Stop stops serving, ending the calls under way.
func (s *Server) Stop() {
	s.mu.Lock()
	g := s.grpc
	s.mu.Unlock()
	if g != nil {
		g.Stop()
	}
}

// validator checks the handshake's name and password and every call's
// bearer token.
type validator struct{ s *Server }

func (v validator) Validate(name, password string) (string, error) {
	p, err := v.s.accounts.Password(name, password)
	if err != nil {
		return "", status.Error(codes.Unauthenticated, "wrong name or password, or too many tries (账户名或密码不正确)")
	}
	b := make([]byte, 32)
	rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	v.s.mu.Lock()
	defer v.s.mu.Unlock()
	now := v.s.now()
	for k, ss := range v.s.sessions {
		if now.After(ss.expires) {
			delete(v.s.sessions, k)
		}
	}
	v.s.sessions[tok] = session{p: p, expires: now.Add(sessionTTL)}
	return tok, nil
}

func (v validator) IsValid(token string) (any, error) {
	v.s.mu.Lock()
	ss, ok := v.s.sessions[token]
	v.s.mu.Unlock()
	if ok && v.s.now().Before(ss.expires) {
		return ss.p, nil
	}
	if p, ok := v.s.accounts.Token(token); ok {
		return p, nil
	}
	return nil, status.Error(codes.Unauthenticated, "invalid token (令牌无效): sign in with name and password, or use an API token from shequ users token NAME")
}

// caller is who sent the call.
func caller(ctx context.Context) (Principal, error) {
	p, ok := flight.AuthFromContext(ctx).(Principal)
	if !ok {
		return Principal{}, status.Error(codes.Unauthenticated, "must authenticate first")
	}
	return p, nil
}

// check refuses what `shequ sql` refuses, and more than one statement.
func check(query string) (string, error) {
	stmts := queries.Split(query)
	switch {
	case len(stmts) == 0:
		return "", status.Error(codes.InvalidArgument, "no SQL statement given")
	case len(stmts) > 1:
		return "", status.Error(codes.InvalidArgument, "one statement at a time over Flight SQL")
	}
	if err := queries.Check(stmts[0].Text); err != nil {
		return "", status.Error(codes.PermissionDenied, err.Error())
	}
	return queries.Rewrite(stmts[0].Text), nil
}

// describe is the schema of a query's result, when DuckDB can tell it
// without running it (DESCRIBE); nil otherwise. A statement the sandbox
// refuses (a file, an extension) is refused here already.
func (s *Server) describe(ctx context.Context, p Principal, query string) (*arrow.Schema, error) {
	sess, err := s.snap.SQL(ctx, p.Scope)
	if err != nil {
		return nil, nil
	}
	defer sess.Close()
	rows, err := sess.QueryContext(ctx, "DESCRIBE "+query)
	if err != nil {
		var refused *queries.RefusedError
		if errors.As(queries.Explain(err, 1), &refused) {
			return nil, status.Error(codes.PermissionDenied, refused.Error())
		}
		return nil, nil
	}
	defer rows.Close()
	var fields []arrow.Field
	for rows.Next() {
		var name, typ string
		var rest [4]any
		if rows.Scan(&name, &typ, &rest[0], &rest[1], &rest[2], &rest[3]) != nil {
			return nil, nil
		}
		fields = append(fields, arrowsql.Field(name, typ, true))
	}
	if rows.Err() != nil {
		return nil, nil
	}
	return arrow.NewSchema(fields, nil), nil
}

// info is the FlightInfo of a checked query: one endpoint whose ticket
// holds the query (checked again, for the caller, when it is fetched).
func (s *Server) info(ctx context.Context, p Principal, query string, desc *flight.FlightDescriptor, ticket []byte) (*flight.FlightInfo, error) {
	fi := &flight.FlightInfo{Endpoint: []*flight.FlightEndpoint{{Ticket: &flight.Ticket{Ticket: ticket}}},
		FlightDescriptor: desc, TotalRecords: -1, TotalBytes: -1}
	sc, err := s.describe(ctx, p, query)
	if err != nil {
		s.accounts.Audit(p, "flight refused", query)
		return nil, err
	}
	if sc != nil {
		fi.Schema = flight.SerializeSchema(sc, s.Alloc)
	}
	return fi, nil
}

// GetFlightInfoStatement checks a query and returns where to fetch it.
func (s *Server) GetFlightInfoStatement(ctx context.Context, cmd flightsql.StatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	q, err := check(cmd.GetQuery())
	if err != nil {
		s.accounts.Audit(p, "flight refused", cmd.GetQuery())
		return nil, err
	}
	ticket, err := flightsql.CreateStatementQueryTicket([]byte(q))
	if err != nil {
		return nil, err
	}
	return s.info(ctx, p, q, desc, ticket)
}

// GetSchemaStatement returns a query's schema without running it.
func (s *Server) GetSchemaStatement(ctx context.Context, cmd flightsql.StatementQuery, _ *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	q, err := check(cmd.GetQuery())
	if err != nil {
		return nil, err
	}
	sc, err := s.describe(ctx, p, q)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		return nil, status.Error(codes.InvalidArgument, "the schema of this statement is known only when it runs")
	}
	return &flight.SchemaResult{Schema: flight.SerializeSchema(sc, s.Alloc)}, nil
}

// DoGetStatement runs a query and streams its rows.
func (s *Server) DoGetStatement(ctx context.Context, t flightsql.StatementQueryTicket) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return s.run(ctx, string(t.GetStatementHandle()))
}

// run checks the query again for the caller, runs it in the caller's
// scope and streams it.
func (s *Server) run(ctx context.Context, query string) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, nil, err
	}
	q, err := check(query)
	if err != nil {
		return nil, nil, err
	}
	sess, err := s.snap.SQL(ctx, p.Scope)
	if err != nil {
		return nil, nil, status.Error(codes.Unavailable, err.Error())
	}
	rows, err := sess.QueryContext(ctx, q)
	if err != nil {
		sess.Close()
		return nil, nil, status.Error(codes.InvalidArgument, queries.Explain(err, 1).Error())
	}
	rd, err := arrowsql.NewReader(s.Alloc, rows)
	if err != nil {
		sess.Close()
		return nil, nil, err
	}
	s.accounts.Audit(p, "flight query", q)
	ch := make(chan flight.StreamChunk, 2)
	start := time.Now()
	go func() {
		defer sess.Close()
		flight.StreamChunksFromReader(ctx, rd, ch)
		s.log.Debug("flight query", "user", p.Name, "rows", rd.Rows(), "took", time.Since(start))
	}()
	return rd.Schema(), ch, nil
}

// CreatePreparedStatement checks a query; its handle is the query (no
// parameters are bound: the statement runs as it is).
func (s *Server) CreatePreparedStatement(ctx context.Context, req flightsql.ActionCreatePreparedStatementRequest) (flightsql.ActionCreatePreparedStatementResult, error) {
	var res flightsql.ActionCreatePreparedStatementResult
	p, err := caller(ctx)
	if err != nil {
		return res, err
	}
	if len(req.GetTransactionId()) > 0 {
		return res, status.Error(codes.InvalidArgument, "transactions are not supported: the warehouse is read-only here")
	}
	q, err := check(req.GetQuery())
	if err != nil {
		s.accounts.Audit(p, "flight refused", req.GetQuery())
		return res, err
	}
	sc, err := s.describe(ctx, p, q)
	if err != nil {
		s.accounts.Audit(p, "flight refused", q)
		return res, err
	}
	res.Handle, res.DatasetSchema = []byte(q), sc
	return res, nil
}

// ClosePreparedStatement has nothing to free.
func (s *Server) ClosePreparedStatement(context.Context, flightsql.ActionClosePreparedStatementRequest) error {
	return nil
}

// GetFlightInfoPreparedStatement returns where to fetch a prepared query.
func (s *Server) GetFlightInfoPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	q, err := check(string(cmd.GetPreparedStatementHandle()))
	if err != nil {
		return nil, err
	}
	return s.info(ctx, p, q, desc, desc.Cmd)
}

// DoGetPreparedStatement runs a prepared query.
func (s *Server) DoGetPreparedStatement(ctx context.Context, cmd flightsql.PreparedStatementQuery) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	return s.run(ctx, string(cmd.GetPreparedStatementHandle()))
}

// errReadOnly refuses every change.
var errReadOnly = status.Error(codes.PermissionDenied,
	"refused: the warehouse is read-only over Flight SQL, as in shequ sql (只读：不允许修改仓库)")

// DoPutCommandStatementUpdate refuses: nothing is written.
func (s *Server) DoPutCommandStatementUpdate(ctx context.Context, cmd flightsql.StatementUpdate) (int64, error) {
	if p, err := caller(ctx); err == nil {
		s.accounts.Audit(p, "flight refused", cmd.GetQuery())
	}
	return 0, errReadOnly
}

// DoPutPreparedStatementUpdate refuses: nothing is written.
func (s *Server) DoPutPreparedStatementUpdate(context.Context, flightsql.PreparedStatementUpdate, flight.MessageReader) (int64, error) {
	return 0, errReadOnly
}

// DoPutCommandStatementIngest refuses: nothing is written.
func (s *Server) DoPutCommandStatementIngest(context.Context, flightsql.StatementIngest, flight.MessageReader) (int64, error) {
	return 0, errReadOnly
}

// BeginTransaction refuses: there is nothing to commit.
func (s *Server) BeginTransaction(context.Context, flightsql.ActionBeginTransactionRequest) ([]byte, error) {
	return nil, status.Error(codes.Unimplemented, "transactions are not supported: the warehouse is read-only here")
}

// ErrNotLoopback is returned for a Flight address other machines reach
// without TLS.
var ErrNotLoopback = errors.New("not loopback")

// CheckAddr refuses an address reachable from other machines unless the
// server has TLS.
func CheckAddr(addr string, tls bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if host == "localhost" || ip != nil && ip.IsLoopback() || tls {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrNotLoopback, strings.TrimSpace(addr))
}
