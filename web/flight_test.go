package web

import (
	"context"
	"encoding/csv"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"shequ/warehouse"
	"shequ/web/account"
	"shequ/web/arrowsql"
)

// tokenFor makes an API token for name as `shequ users token` does.
func tokenFor(t testing.TB, e *testEnv, name string) string {
	t.Helper()
	var tok string
	err := e.srv.wr.do(context.Background(), "token", false, func(ctx context.Context, w *warehouse.Warehouse) error {
		var err error
		if tok, err = (account.Store{DB: w.DB}).NewToken(ctx, name); err != nil {
			return err
		}
		return e.srv.users.load(ctx, w.DB)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// flightOf serves the environment's Flight SQL on loopback.
func flightOf(t testing.TB, e *testEnv) (addr string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := e.srv.Flight()
	go fs.Serve(ln, "", "")
	return ln.Addr().String(), fs.Stop
}

// flightClient is arrow-go's own Flight SQL client.
func flightClient(t testing.TB, addr string) *flightsql.Client {
	t.Helper()
	cl, err := flightsql.NewClient(addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

// flightRows runs query and returns its rows as `shequ sql --format csv`
// writes them: a header, then each value's text.
func flightRows(ctx context.Context, cl *flightsql.Client, query string) ([][]string, error) {
	info, err := cl.Execute(ctx, query)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, ep := range info.Endpoint {
		rd, err := cl.DoGet(ctx, ep.Ticket)
		if err != nil {
			return nil, err
		}
		if out == nil {
			var head []string
			for _, f := range rd.Schema().Fields() {
				head = append(head, f.Name)
			}
			out = append(out, head)
		}
		for rd.Next() {
			rec := rd.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				var row []string
				for c := 0; c < int(rec.NumCols()); c++ {
					row = append(row, arrowsql.Text(rec.Column(c), i))
				}
				out = append(out, row)
			}
		}
		err = rd.Err()
		rd.Release()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

var shequBin struct {
	once sync.Once
	path string
	err  error
}

// shequBinary builds the shequ command once for the tests that compare
// with it.
func shequBinary(t testing.TB) string {
	t.Helper()
	shequBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "shequ-bin-")
		if err != nil {
			shequBin.err = err
			return
		}
		shequBin.path = filepath.Join(dir, "shequ")
		if runtime.GOOS == "windows" {
			shequBin.path += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", shequBin.path, "../cmd/shequ").CombinedOutput()
		if err != nil {
			shequBin.err = errors.New(string(out))
		}
	})
	if shequBin.err != nil {
		t.Fatalf("build shequ: %v", shequBin.err)
	}
	return shequBin.path
}

// shequSQL runs `shequ sql -c query --format csv` on the environment's
// warehouse (its published snapshot).
func shequSQL(t testing.TB, e *testEnv, query string) [][]string {
	t.Helper()
	cmd := exec.Command(shequBinary(t), "sql", "--warehouse", filepath.Join(e.dir, "shequ.duckdb"), "-c", query, "--format", "csv")
	cmd.Env = append(os.Environ(), "SHEQU_ID_KEY=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("shequ sql -c %q: %v\n%s", query, err, out)
	}
	recs, err := csv.NewReader(strings.NewReader(string(out))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestFlightSQL queries the warehouse through Flight SQL with arrow-go's
// own client: the results equal `shequ sql --format csv` of the same
// queries on the same snapshot; a write is refused however it is sent; a
// district's token sees its district only; a name and password sign in
// through the Basic handshake; no credentials, no answer.
func TestFlightSQL(t *testing.T) {
	e := fullCity(t)
	addr, stop := flightOf(t, e)
	defer stop()
	cl := flightClient(t, addr)
	defer cl.Close()
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tokenFor(t, e, "analyst"))

	for _, q := range []string{
		"SELECT * FROM marts.coverage ORDER BY ALL",
		"SELECT * FROM marts.payments ORDER BY ALL",
		"SELECT * FROM marts.evaluation_scores ORDER BY ALL",
		"SELECT * FROM marts.city_rewards ORDER BY ALL",
		"SELECT * FROM marts.data_quality ORDER BY ALL",
		"SELECT submission_id, file, sha256, status, rows_loaded FROM marts.submissions ORDER BY ALL",
		"SELECT * FROM official.site_subsidies ORDER BY ALL",
		"SELECT year, count(*) AS n, sum(contract_amount) AS total, avg(contract_amount) AS mean FROM intermediate.project_years GROUP BY ALL ORDER BY ALL",
	} {
		got, err := flightRows(ctx, cl, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		want := shequSQL(t, e, q)
		if len(got) != len(want) {
			t.Errorf("%s: %d rows over Flight, %d from shequ sql", q, len(got)-1, len(want)-1)
			continue
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("%s, row %d:\n flight    %q\n shequ sql %q", q, i, got[i], want[i])
				break
			}
		}
	}

	for _, w := range []string{"DELETE FROM marts.coverage", "CREATE TABLE marts.x AS SELECT 1", "COPY marts.coverage TO '/tmp/flight.csv'",
		"ATTACH '/tmp/x.duckdb' AS x", "SELECT * FROM read_text('/etc/passwd')"} {
		if _, err := flightRows(ctx, cl, w); err == nil {
			t.Errorf("%s ran over Flight", w)
		}
		if _, err := cl.ExecuteUpdate(ctx, w); status.Code(err) != codes.PermissionDenied {
			t.Errorf("ExecuteUpdate %s: %v, want PermissionDenied", w, err)
		}
		if p, err := cl.Prepare(ctx, w); err == nil {
			p.Close(ctx)
			t.Errorf("Prepare %s was accepted", w)
		}
	}
	if _, err := os.Stat("/tmp/flight.csv"); err == nil {
		t.Error("COPY wrote a file")
	}

	// A prepared statement runs too.
	prep, err := cl.Prepare(ctx, "SELECT count(*) AS n FROM marts.coverage")
	if err != nil {
		t.Fatal(err)
	}
	info, err := prep.Execute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if !rd.Next() || arrowsql.Text(rd.RecordBatch().Column(0), 0) != "8" {
		t.Error("the prepared count is not 8")
	}
	rd.Release()
	prep.Close(ctx)

	lj := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tokenFor(t, e, "lj"))
	rows, err := flightRows(lj, cl, "SELECT DISTINCT district FROM marts.coverage UNION SELECT DISTINCT district FROM official.fund_use UNION SELECT DISTINCT district FROM intermediate.community_years")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1][0] != "临江区" {
		t.Errorf("临江区's token sees districts %v", rows)
	}
	if _, err := flightRows(lj, cl, "SELECT * FROM marts.provider_standing"); err == nil {
		t.Error("a district read the providers' standing")
	}

	bctx, err := cl.Client.AuthenticateBasicToken(context.Background(), "planner", passwordOf("planner"))
	if err != nil {
		t.Fatal(err)
	}
	if rows, err := flightRows(bctx, cl, "SELECT count(*) FROM marts.city_rewards"); err != nil || rows[1][0] != "4" {
		t.Errorf("signed in with a password: %v %v", rows, err)
	}
	if _, err := cl.Client.AuthenticateBasicToken(context.Background(), "planner", "wrong"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("a wrong password: %v", err)
	}
	if _, err := flightRows(context.Background(), cl, "SELECT 1"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("no credentials: %v", err)
	}
	bad := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer nope")
	if _, err := flightRows(bad, cl, "SELECT 1"); status.Code(err) != codes.Unauthenticated {
		t.Errorf("a wrong token: %v", err)
	}
}
