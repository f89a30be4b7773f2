; Isolate the lowest set bit, with a grammar and universally quantified input.
(set-logic BV)
(synth-fun lowbit ((x (_ BitVec 8))) (_ BitVec 8)
    ((Start (_ BitVec 8)))
    ((Start (_ BitVec 8) (x #x00 #x01 (bvneg Start) (bvnot Start) (bvand Start Start)
        (bvor Start Start) (bvsub Start Start)))))
(declare-var x (_ BitVec 8))
(constraint (= (lowbit x) (bvand x (bvsub #x00 x))))
(check-synth)
